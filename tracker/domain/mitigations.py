"""Rules for mitigations: their statuses, when they are overdue or due soon, and slips."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

STATUSES = ("planned", "in_progress", "blocked", "done", "cancelled")
OPEN_STATUSES = ("planned", "in_progress", "blocked")
STATUS_LABELS = {
    "planned": "Planned",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "cancelled": "Cancelled",
}
DEFAULT_DUE_SOON_DAYS = 14


def due_state(
    status: str, due: date, today: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> str | None:
    """ "overdue" (open and due before today), "due_soon" (open and due within the window,
    today and its last day included) or None."""
    if status not in OPEN_STATUSES:
        return None
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=due_soon_days):
        return "due_soon"
    return None


def is_slip(old_due: date, new_due: date) -> bool:
    """Moving a due date later is a slip; pulling it in is not."""
    return new_due > old_due


def change_problems(
    current_status: str,
    target_status: str,
    *,
    old_due: date | None,
    new_due: date | None,
    reason: str = "",
    note: str = "",
) -> dict[str, str]:
    """What stops this change, by field; empty when it may be saved.

    A moved due date needs a reason; blocking needs a note saying on what.
    """
    problems = {}
    if target_status not in STATUSES:
        problems["status"] = f"Status must be one of {', '.join(STATUSES)}."
    elif target_status == "blocked" and current_status != "blocked" and not note.strip():
        problems["notes"] = "Say what the work is blocked on."
    if old_due is not None and new_due is not None and new_due != old_due and not reason.strip():
        problems["reason"] = "Say why the due date moves (it is kept in the history)."
    return problems


def completed_on(
    old_status: str, new_status: str, previous: date | None, today: date
) -> date | None:
    """The completion date after a status change: set on becoming done, cleared on reopening."""
    if new_status == "done":
        return previous if old_status == "done" and previous else today
    return None


def starts_risk_mitigation(risk_status: str, old_status: str, new_status: str) -> bool:
    """The first mitigation to start moves an open risk to mitigating."""
    return risk_status == "open" and new_status == "in_progress" and old_status != "in_progress"


def all_complete(statuses: Iterable[str]) -> bool:
    """Every mitigation finished and at least one done: time to re-score the residual."""
    statuses = list(statuses)
    return bool(statuses) and "done" in statuses and not any(s in OPEN_STATUSES for s in statuses)


def blocker_note(notes: str) -> str:
    """What a blocked mitigation waits on: the last note written (notes are appended one a
    line, "2026-03-04 Max Manager: Waiting on the network team"); '' when there is none."""
    lines = [line.strip() for line in (notes or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def slip_summary(slip_count: int, slip_days: int) -> str:
    """'slipped 2×, +23 days' — or '' for a mitigation that never slipped."""
    if not slip_count:
        return ""
    return f"slipped {slip_count}×, {slip_days:+d} days"
