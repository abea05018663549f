"""Reading a Jira issue's JSON into the fields the tracker caches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class TicketData:
    key: str
    summary: str
    status: str | None
    status_category: str | None
    resolution: str | None
    assignee: str | None
    due_date: date | None
    fix_versions: str
    updated: datetime | None


def _name(value, attribute: str = "name") -> str | None:
    return value.get(attribute) if isinstance(value, dict) and value.get(attribute) else None


def parse_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_time(value) -> datetime | None:
    """Jira writes 2026-03-01T10:00:00.000+0000; Atlassian's own example has an integer (epoch
    milliseconds); anything else is unknown rather than an error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                return datetime.strptime(value, pattern).astimezone(UTC)
            except ValueError:
                continue
    return None


def parse_issue(issue: dict) -> TicketData:
    """The cached fields of one issue; missing or odd fields become None, never an error."""
    fields = issue["fields"]
    status = fields.get("status")
    category = status.get("statusCategory") if isinstance(status, dict) else None
    versions = fields.get("fixVersions") or []
    return TicketData(
        key=str(issue["key"]).upper(),
        summary=str(fields.get("summary") or ""),
        status=_name(status),
        status_category=_name(category, "key"),
        resolution=_name(fields.get("resolution")),
        assignee=_name(fields.get("assignee"), "displayName"),
        due_date=parse_date(fields.get("duedate")),
        fix_versions=", ".join(
            v["name"] for v in versions if isinstance(v, dict) and v.get("name")
        ),
        updated=parse_time(fields.get("updated")),
    )
