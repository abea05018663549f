"""Reading the cells other incident tools write into the tracker's terms, before the rules
of the form (tracker.incidents.fields) check them: their severity and status words, their
time formats, and teams and people by name.

Whatever is not recognised here is passed on as it is, so the form's message names it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from tracker.domain.incidents import STATUSES
from tracker.models import Team, User

# Status words of paging and incident tools → the tracker's status. "Resolved" in a paging
# tool means the outage ended (its resolved-at column says when), not that it was reviewed.
STATUS_WORDS = {
    **dict.fromkeys(
        (
            "open",
            "triggered",
            "acknowledged",
            "active",
            "triage",
            "investigating",
            "identified",
            "fixing",
            "monitoring",
            "mitigated",
            "stable",
            "resolved",
            "in progress",
        ),
        "open",
    ),
    **dict.fromkeys(
        (
            "reviewing",
            "in review",
            "post incident",
            "postmortem",
            "post mortem",
            "retrospective",
            "learning",
            "documenting",
        ),
        "reviewing",
    ),
    **dict.fromkeys(("closed", "done", "completed", "documented"), "closed"),
}
_SPACES = re.compile(r"[\s_-]+")
_POSITION = re.compile(r"p?([1-9])")
# "2026-03-01 14:05:00 UTC" (PagerDuty, incident.io); "01/Mar/26 2:05 PM" (Jira's CSV).
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)
JIRA_CSV_TIME = "%d/%b/%y %I:%M %p"


def _squeezed(text: str) -> str:
    return _SPACES.sub("", text.strip().lower())


def status_word(text: str) -> str | None:
    """The tracker's status a status word means (None when it means none); empty stays ""."""
    words = _SPACES.sub(" ", text.strip().lower())
    if not words:
        return ""
    return STATUS_WORDS.get(words) if words not in STATUSES else words


def status_hint() -> str:
    return f"The status must be one of {', '.join(STATUSES)} (or a word such as resolved)"


def severity_level(text: str, levels: tuple[str, ...]) -> str:
    """The configured level a severity cell names: the level itself in any case and spacing
    ("SEV 1", "Sev-1"), or its position, most severe first ("P1", "1"); else `text`."""
    squeezed = _squeezed(text)
    for level in levels:
        if _squeezed(level) == squeezed:
            return level
    position = _POSITION.fullmatch(squeezed)
    if position and int(position.group(1)) <= len(levels):
        return levels[int(position.group(1)) - 1]
    return text


def moment(text: str) -> datetime | str:
    """A time in a format other tools export, as an aware datetime; other text as it is
    (ISO 8601 is the form's to read)."""
    stripped = text.strip()
    if _UTC_SUFFIX.search(stripped):
        try:
            return datetime.fromisoformat(_UTC_SUFFIX.sub("", stripped)).replace(tzinfo=UTC)
        except ValueError:
            return text
    try:
        return datetime.strptime(stripped, JIRA_CSV_TIME)
    except ValueError:
        return text


def _by_unique_name(records: Iterable, key, name) -> dict[str, object]:
    """Records by their key, and by their lower-case name where no other record has it."""
    records = list(records)
    found = {key(record): record for record in records}
    names = Counter(name(record).strip().lower() for record in records)
    for record in records:
        lowered = name(record).strip().lower()
        if names[lowered] == 1 and lowered not in found:
            found[lowered] = record
    return found


def teams_by_slug_or_name(teams: Mapping[str, Team]) -> dict[str, Team]:
    """Teams by slug, and by name (lower case) where the name is one team's alone."""
    return _by_unique_name(teams.values(), lambda team: team.slug, lambda team: team.name)


def users_by_email_or_name(users: Mapping[str, User]) -> dict[str, User]:
    """Users by email (lower case), and by display name where it is one person's alone."""
    return _by_unique_name(
        users.values(), lambda user: user.email.lower(), lambda user: user.display_name or ""
    )
