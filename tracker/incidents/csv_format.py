"""The incidents' CSV format: the export's columns and the names other incident tools give
them in their own CSV exports (PagerDuty, incident.io, FireHydrant, Jira), so such a file
imports without editing its header.

A tool's own id (PagerDuty's incident number, incident.io's reference, a Jira issue key) is
not the tracker's key and is read past: keys are the tracker's to give.
"""

from __future__ import annotations

from tracker.spreadsheets import CsvFormat

COLUMNS = (
    "key",
    "title",
    "severity",
    "status",
    "team",
    "commander",
    "services",
    "started_at",
    "detected_at",
    "resolved_at",
    "duration_minutes",
    "impact_minutes",
    "users_impacted",
    "review_url",
    "review_date",
    "risks",
    "summary",
)
REQUIRED_COLUMNS = ("title", "severity", "team", "started_at")
# Worked out by the tracker from the times: accepted on import (so an export re-imports).
READ_ONLY_COLUMNS = frozenset({"duration_minutes"})

ALIASES = {
    "incident key": "key",
    "name": "title",
    "incident name": "title",
    "incident title": "title",
    "urgency": "severity",
    "sev": "severity",
    "severity level": "severity",
    "state": "status",
    "incident status": "status",
    "current milestone": "status",
    "owning team": "team",
    "team slug": "team",
    "team name": "team",
    "incident commander": "commander",
    "incident lead": "commander",
    "commander email": "commander",
    "service": "services",
    "service name": "services",
    "affected services": "services",
    "impacted services": "services",
    "component/s": "services",
    "components": "services",
    "reported at": "started_at",
    "started at": "started_at",
    "start time": "started_at",
    "impact started at": "started_at",
    "created on": "started_at",
    "detected at": "detected_at",
    "identified at": "detected_at",
    "resolved at": "resolved_at",
    "resolved on": "resolved_at",
    "resolved": "resolved_at",
    "end time": "resolved_at",
    "impact ended at": "resolved_at",
    "duration": "duration_minutes",
    "customer impact minutes": "impact_minutes",
    "impact minutes": "impact_minutes",
    "bad minutes": "impact_minutes",
    "share of users impacted": "users_impacted",
    "users affected": "users_impacted",
    "% users": "users_impacted",
    "review document": "review_url",
    "postmortem url": "review_url",
    "postmortem document url": "review_url",
    "retrospective url": "review_url",
    "review held on": "review_date",
    "postmortem date": "review_date",
    "risk keys": "risks",
    "linked risks": "risks",
}

# Names read only when the file has no better one for the column: a tool that exports both
# "Started at" and "Created at" means the first.
FALLBACKS = {
    "created": "started_at",
    "created at": "started_at",
    "declared at": "started_at",
    "acknowledged at": "detected_at",
    "priority": "severity",
    "teams": "team",
    "description": "summary",
    "details": "summary",
}

INCIDENT_FORMAT = CsvFormat(
    COLUMNS,
    REQUIRED_COLUMNS,
    READ_ONLY_COLUMNS,
    ALIASES,
    noun="incident",
    fallbacks=FALLBACKS,
)
