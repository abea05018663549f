"""Rules for mitigations: their statuses, when they are overdue or due soon, and slips.

The rules the database answers too (open, overdue, due soon, needs re-score) have their SQL
form beside them, taking the columns to apply it to (see tests/test_domain_sql.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tracker.domain.lifecycle import in_treatment, in_treatment_sql

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
# An incident's follow-up is an action item (short) or a strategic change (long).
HORIZONS = ("short", "long")
HORIZON_LABELS = {"short": "Action item", "long": "Strategic change"}


def is_open(status: str) -> bool:
    """Planned, in progress or blocked: work still to do."""
    return status in OPEN_STATUSES


def is_open_sql(status: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL form of is_open()."""
    return status.in_(OPEN_STATUSES)


def due_state(
    status: str, due: date, today: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> str | None:
    """ "overdue" (open and due before today), "due_soon" (open and due within the window,
    today and its last day included) or None."""
    if not is_open(status):
        return None
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=due_soon_days):
        return "due_soon"
    return None


# The earliest date, as the explicit lower bound of "due before today" (see is_overdue_sql).
_EARLIEST = date(1, 1, 1)


def is_overdue_sql(
    status: ColumnElement[str], due: ColumnElement[date], today: date
) -> ColumnElement[bool]:
    """SQL: due_state(...) == "overdue".

    "due before today" is written as a range with both ends: SQLite 3.40, once it has planner
    statistics, seeks an index on (risk, status, due date) for "risk = ? AND status IN (…) AND
    due < ?" with the wrong bounds and counts work that is not overdue (two thirds of the risks
    of a register, as analysed); with a lower bound as well it seeks correctly.
    """
    return sa.and_(is_open_sql(status), due.between(_EARLIEST, today - timedelta(days=1)))


def is_due_soon_sql(
    status: ColumnElement[str],
    due: ColumnElement[date],
    today: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> ColumnElement[bool]:
    """SQL: due_state(...) == "due_soon"."""
    return sa.and_(is_open_sql(status), due.between(today, today + timedelta(days=due_soon_days)))


def due_state_sql(
    status: ColumnElement[str],
    due: ColumnElement[date],
    today: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> ColumnElement[str]:
    """SQL form of due_state(): "overdue", "due_soon" or NULL."""
    return sa.case(
        (is_overdue_sql(status, due, today), "overdue"),
        (is_due_soon_sql(status, due, today, due_soon_days), "due_soon"),
        else_=sa.null(),
    )


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


# What a risk's mitigations amount to, stored on the risk (Risk.mitigation_work): "open" while
# any is open, else "done" when one is done, else "none" (no mitigation, or every one cancelled).
WORK_STATES = ("none", "open", "done")


def work_state(mitigation_statuses: Iterable[str]) -> str:
    """The risk's work state (WORK_STATES) given its mitigations' statuses."""
    statuses = set(mitigation_statuses)
    if any(is_open(status) for status in statuses):
        return "open"
    return "done" if "done" in statuses else "none"


def work_state_sql(
    risk_id: ColumnElement[int],
    mitigation_risk_id: ColumnElement[int],
    mitigation_status: ColumnElement[str],
) -> ColumnElement[str]:
    """SQL form of work_state() for a risk row, given the mitigation table's risk-id and status
    columns."""
    of_risk = mitigation_risk_id == risk_id
    return sa.case(
        (sa.exists().where(of_risk, is_open_sql(mitigation_status)), "open"),
        (sa.exists().where(of_risk, mitigation_status == "done"), "done"),
        else_="none",
    )


def all_complete(statuses: Iterable[str]) -> bool:
    """Every mitigation finished and at least one done."""
    return work_state(statuses) == "done"


def needs_rescore(risk_status: str, mitigation_statuses: Iterable[str]) -> bool:
    """Time to re-score the residual: the risk is still in treatment (open or mitigating) and
    all its mitigations are complete (every one finished, at least one done)."""
    return in_treatment(risk_status) and all_complete(mitigation_statuses)


def needs_rescore_sql(
    risk_status: ColumnElement[str], work: ColumnElement[str]
) -> ColumnElement[bool]:
    """SQL form of needs_rescore(), given the risk's status and its work state (work_state())."""
    return sa.and_(in_treatment_sql(risk_status), work == "done")


def blocker_note(notes: str) -> str:
    """What a blocked mitigation waits on: the last note written (notes are appended one a
    line, "2026-03-04 Max Manager: Waiting on the network team"); '' when there is none."""
    # From the end: notes grow a line per update, and only the last one counts.
    for line in reversed((notes or "").splitlines()):
        if line.strip():
            return line.strip()
    return ""


def slip_summary(slip_count: int, slip_days: int) -> str:
    """'slipped 2×, +23 days' — or '' for a mitigation that never slipped."""
    if not slip_count:
        return ""
    return f"slipped {slip_count}×, {slip_days:+d} days"
