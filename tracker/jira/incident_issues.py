"""Reading a Jira issue as an incident: the fields Jira owns, made to fit, and what could
not be read (said, never raised).

Jira owns an incident's title (the summary), status (from the status category: to do and in
progress are open, done is closed), start (JIRA_INCIDENT_START_FIELD, else `created`),
resolution (JIRA_INCIDENT_END_FIELD, else `resolutiondate`) and severity (the priority's
name through JIRA_INCIDENT_SEVERITY_MAP; unmapped, the least severe level).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tracker.history import display_value
from tracker.jira.incident_settings import IncidentPull
from tracker.jira.tickets import parse_time
from tracker.models import Incident
from tracker.models.fitting import fit

# The incident's fields Jira owns, in the order they are compared and shown.
OWNED = ("title", "status", "started_at", "resolved_at", "severity")


@dataclass(frozen=True)
class IncidentIssue:
    """One issue's values for the fields Jira owns."""

    key: str
    title: str
    status: str
    started_at: datetime
    resolved_at: datetime | None
    severity: str
    # The priority's name when the map does not name it (the severity is then the default).
    unmapped_priority: str | None = None

    def shown(self) -> dict[str, str | None]:
        """The owned fields as the history shows them (and the sync compares them)."""
        return {name: display_value(getattr(self, name)) for name in OWNED}


def _moment(value) -> datetime | None:
    """A Jira date-time, or a date picker's day (midnight UTC); None for anything else."""
    moment = parse_time(value)
    if moment is None and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return moment


def _named(value, attribute: str) -> str | None:
    if isinstance(value, dict) and isinstance(value.get(attribute), str):
        return value[attribute]
    return None


def _status(fields: dict) -> str:
    status = fields.get("status")
    category = _named(status.get("statusCategory"), "key") if isinstance(status, dict) else None
    return "closed" if category == "done" else "open"


def _time_field(fields: dict, name: str | None, default: str, key: str, notes: list[str]):
    """The moment in field `name` (when set and filled), else in `default`."""
    if name and fields.get(name) not in (None, ""):
        moment = _moment(fields[name])
        if moment is not None:
            return moment
        notes.append(f"{key}: {name} is not a date ({str(fields[name])[:40]!r}); used {default}.")
    if fields.get(default) in (None, ""):
        return None
    moment = _moment(fields[default])
    if moment is None:
        notes.append(f"{key}: {default} is not a date ({str(fields[default])[:40]!r}).")
    return moment


def read_issue(issue: dict, pull: IncidentPull) -> tuple[IncidentIssue | None, list[str]]:
    """The issue's incident values (None when it has no usable start), and notes on what was
    cut, guessed or left out: each makes the sync run partial, so someone looks. A priority
    the map does not name gives the default severity and is told in `unmapped_priority`."""
    key = str(issue.get("key") or "").upper()
    fields = issue.get("fields") if isinstance(issue.get("fields"), dict) else {}
    notes: list[str] = []
    summary = fields.get("summary")
    title = " ".join(summary.split()) if isinstance(summary, str) else ""
    if len(title) > Incident.title.type.length:
        notes.append(f"{key}: the summary is longer than a title may be; it was cut.")
    title = fit(Incident.title, title or key)
    started = _time_field(fields, pull.start_field, "created", key, notes)
    if started is None:
        notes.append(f"{key}: no start (neither {pull.start_field or 'created'} nor created).")
        return None, notes
    resolved = _time_field(fields, pull.end_field, "resolutiondate", key, notes)
    priority = _named(fields.get("priority"), "name")
    severity = pull.severity(priority)
    unmapped = None
    if severity is None:
        severity, unmapped = pull.default_severity, priority or "(none)"
    incident = IncidentIssue(key, title, _status(fields), started, resolved, severity, unmapped)
    return incident, notes
