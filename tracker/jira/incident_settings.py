"""The settings of reading incidents from Jira (JIRA_INCIDENT_*), checked at start-up.

JIRA_INCIDENT_JQL is trusted configuration (written by whoever runs the tracker); the sync
only ever puts it in parentheses and adds its own clauses after it, so it may not end in an
ORDER BY of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.accounts.rules import slug_problem
from tracker.domain.incidents import DEFAULT_SEVERITIES, validate_severities

# A field id as Jira names it: a system field (created, resolutiondate) or customfield_10100.
FIELD_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


@dataclass(frozen=True)
class IncidentPull:
    """What the sync reads as incidents, and how Jira's fields become theirs."""

    jql: str
    team: str  # the slug of the team that owns incidents read from Jira
    start_field: str | None = None  # None: the issue's `created`
    end_field: str | None = None  # None: its `resolutiondate`
    # Priority name (lower case) → severity level.
    severity_map: dict[str, str] = field(default_factory=dict)
    default_severity: str = "sev4"

    @property
    def fields(self) -> list[str]:
        """The issue fields a search asks for."""
        wanted = ["summary", "status", "created", "resolutiondate", "priority", "updated"]
        return wanted + [name for name in (self.start_field, self.end_field) if name]

    def severity(self, priority: str | None) -> str | None:
        """The level a priority name maps to, or None when the map does not name it."""
        return self.severity_map.get((priority or "").strip().lower())


def parse_severity_map(text: str, levels: tuple[str, ...]) -> dict[str, str]:
    """`Highest=sev1, High=sev2, …` as {priority (lower case): level}; raises ValueError
    saying which entry is wrong."""
    mapping: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, equals, level = (part.strip() for part in entry.partition("="))
        if not equals or not name or not level:
            raise ValueError(f"write each entry as Priority=level, e.g. High=sev2 (got {entry!r})")
        if level.lower() not in levels:
            raise ValueError(f"{level!r} is not one of the INCIDENT_SEVERITIES {', '.join(levels)}")
        if name.lower() in mapping:
            raise ValueError(f"the priority {name!r} is mapped twice")
        mapping[name.lower()] = level.lower()
    return mapping


def incident_pull(config: Mapping) -> IncidentPull | None:
    """The incident pull as configured, or None without JIRA_INCIDENT_JQL; raises ValueError
    naming the setting to fix."""
    jql = (config.get("JIRA_INCIDENT_JQL") or "").strip()
    if not jql:
        return None
    if ORDER_BY.search(jql):
        raise ValueError("JIRA_INCIDENT_JQL: leave out ORDER BY; the sync orders the issues itself")
    if jql.count("(") != jql.count(")"):
        raise ValueError("JIRA_INCIDENT_JQL: its parentheses do not pair up")
    team = (config.get("JIRA_INCIDENT_TEAM") or "").strip()
    if not team:
        raise ValueError(
            "JIRA_INCIDENT_TEAM: give the slug of the team that owns incidents read from Jira"
        )
    if problem := slug_problem(team):
        raise ValueError(f"JIRA_INCIDENT_TEAM: {problem}")
    fields = {}
    for name in ("JIRA_INCIDENT_START_FIELD", "JIRA_INCIDENT_END_FIELD"):
        value = (config.get(name) or "").strip() or None
        if value is not None and not FIELD_ID.match(value):
            raise ValueError(f"{name}: give a Jira field id such as customfield_10100")
        fields[name] = value
    levels = validate_severities(config.get("INCIDENT_SEVERITIES") or DEFAULT_SEVERITIES)
    try:
        mapping = parse_severity_map(config.get("JIRA_INCIDENT_SEVERITY_MAP") or "", levels)
    except ValueError as exc:
        raise ValueError(f"JIRA_INCIDENT_SEVERITY_MAP: {exc}") from None
    return IncidentPull(
        jql=jql,
        team=team,
        start_field=fields["JIRA_INCIDENT_START_FIELD"],
        end_field=fields["JIRA_INCIDENT_END_FIELD"],
        severity_map=mapping,
        default_severity=levels[-1],
    )


def incident_pull_problem(config: Mapping) -> str | None:
    """Say what is wrong with the JIRA_INCIDENT_* settings, or None (checked at start-up)."""
    try:
        incident_pull(config)
    except ValueError as exc:
        return f"{exc}."
    return None
