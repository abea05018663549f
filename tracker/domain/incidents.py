"""Rules for incidents: their statuses, duration and customer-impact minutes, and the checks
on their times. Pure functions; the services and the API share them."""

from __future__ import annotations

from datetime import date, datetime

STATUSES = ("open", "reviewing", "closed")
STATUS_LABELS = {"open": "Open", "reviewing": "Reviewing", "closed": "Closed"}
DEFAULT_SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
SEVERITY_MAX = 32


def duration_minutes(started_at: datetime, resolved_at: datetime | None, now: datetime) -> float:
    """Minutes from the start to the resolution, or to `now` while the incident is open.

    Never negative: an incident whose start lies ahead of `now` has lasted 0 minutes so far.
    """
    end = resolved_at if resolved_at is not None else now
    return max((end - started_at).total_seconds() / 60, 0.0)


def impact_from_share(share: float, duration: float) -> float:
    """Customer-impact minutes when `share` (0–1) of the users were affected for `duration`."""
    return share * duration


def timing_problems(
    started_at: datetime,
    detected_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
) -> dict[str, str]:
    """What is wrong with an incident's times, by field (empty when nothing is)."""
    problems: dict[str, str] = {}
    if started_at > now:
        problems["started_at"] = "The start lies in the future; give when the incident began."
    if detected_at is not None and detected_at < started_at:
        problems["detected_at"] = "It was detected before it started; check both times."
    if resolved_at is not None and resolved_at < started_at:
        problems["resolved_at"] = "It was resolved before it started; check both times."
    elif resolved_at is not None and resolved_at > now:
        problems["resolved_at"] = "The resolution lies in the future; leave it empty while open."
    return problems


def impact_problem(impact_minutes: float, duration: float) -> str | None:
    """Why these impact minutes cannot be right for an incident of this duration, or None."""
    if impact_minutes < 0:
        return "The impact minutes cannot be negative."
    # A tolerance of a second for minutes computed from the same times elsewhere.
    if impact_minutes > duration + 1 / 60:
        return (
            f"The impact minutes ({impact_minutes:g}) exceed the incident's duration "
            f"({duration:.0f} minutes); give at most the duration, or a share of users."
        )
    return None


def share_problem(share: float) -> str | None:
    """Why this cannot be a share of users, or None."""
    if not 0 <= share <= 1:
        return f"The share of users impacted must lie between 0 and 1 (got {share:g})."
    return None


def review_date_problem(review_date: date | None, started_at: datetime) -> str | None:
    """A review cannot be held before the incident started."""
    if review_date is not None and review_date < started_at.date():
        return "The review date lies before the incident started; give the day it was held."
    return None


def transition_problem(current: str, target: str, *, resolved: bool, reason: str) -> str | None:
    """Why the incident cannot move from `current` to `target`, or None.

    Incidents move open → reviewing → closed. Reviewing or closing needs a resolution time;
    going back (reopening) needs a reason for the history.
    """
    if target not in STATUSES:
        return f"The status must be one of {', '.join(STATUSES)} (got {target!r})."
    if target == current:
        return f"The incident is already {STATUS_LABELS[current].lower()}."
    if target != "open" and not resolved:
        return "Give the resolution time before the incident is reviewed or closed."
    if STATUSES.index(target) < STATUSES.index(current) and not reason.strip():
        return "Say why the incident goes back (it goes in the history)."
    return None


def validate_severities(levels) -> tuple[str, ...]:
    """The configured severity levels, most severe first; raises ValueError saying what is
    wrong with them."""
    if isinstance(levels, str):
        levels = [part.strip() for part in levels.split(",")]
    if not isinstance(levels, list | tuple) or not levels:
        raise ValueError("give a list of severity names such as sev1, sev2, sev3, sev4")
    names = tuple(levels)
    for name in names:
        if not isinstance(name, str) or not name.strip() or len(name) > SEVERITY_MAX:
            raise ValueError(f"each severity is a name of 1 to {SEVERITY_MAX} characters")
    if len(set(names)) != len(names):
        raise ValueError("a severity is listed twice")
    return names
