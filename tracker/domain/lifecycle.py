"""The statuses a risk moves through, and what each move needs.

Which statuses are live is asked in SQL too: is_active_sql() and in_treatment_sql() sit beside
is_active() and in_treatment() (see tests/test_domain_sql.py).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

STATUSES = ("open", "mitigating", "mitigated", "accepted", "closed")
STATUS_LABELS = {
    "open": "Open",
    "mitigating": "Mitigating",
    "mitigated": "Mitigated",
    "accepted": "Accepted",
    "closed": "Closed",
}
TREATMENTS = ("mitigate", "accept", "avoid", "transfer")
# Live: the risk still threatens availability (the dashboard's budget, heat map, trend and
# by-team counts, the weekly review's snapshot).
ACTIVE_STATUSES = ("open", "mitigating", "accepted")
# In treatment: live and not accepted, so someone should be working on it (the ranking, the
# review-overdue, no-owner, no-mitigation and re-score lists).
IN_TREATMENT_STATUSES = ("open", "mitigating")


def is_active(status: str) -> bool:
    """The risk still threatens availability."""
    return status in ACTIVE_STATUSES


def is_active_sql(status: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL form of is_active()."""
    return status.in_(ACTIVE_STATUSES)


def in_treatment(status: str) -> bool:
    """The risk is live and not accepted: it is ranked and worked on."""
    return status in IN_TREATMENT_STATUSES


def in_treatment_sql(status: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL form of in_treatment()."""
    return status.in_(IN_TREATMENT_STATUSES)


def review_overdue(status: str, next_review: date, today: date) -> bool:
    """A risk in treatment whose next review date has passed (the day itself is not late)."""
    return in_treatment(status) and next_review < today


def review_overdue_sql(
    status: ColumnElement[str], next_review: ColumnElement[date], today: date
) -> ColumnElement[bool]:
    """SQL form of review_overdue()."""
    return sa.and_(in_treatment_sql(status), next_review < today)


TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("mitigating", "mitigated", "accepted", "closed"),
    "mitigating": ("open", "mitigated", "accepted", "closed"),
    "mitigated": ("open", "closed"),
    "accepted": ("open", "mitigating", "closed"),
    "closed": ("open",),
}


def transition_problems(
    current: str,
    target: str,
    *,
    reason: str = "",
    approver_id: int | None = None,
    expires_on: date | None = None,
    today: date,
) -> dict[str, str]:
    """What stops a move from `current` to `target`, by field; empty when it may happen.

    Reopening and closing need a reason; accepting needs an approver and a future expiry date.
    """
    if target not in STATUSES:
        return {"status": f"Status must be one of {', '.join(STATUSES)}."}
    if target == current:
        return {"status": f"The risk is already {current}."}
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current])
        return {"status": f"A {current} risk can move to {allowed}, not {target}."}
    problems = {}
    if target in ("open", "closed") and not reason.strip():
        verb = "reopening" if target == "open" else "closing"
        problems["reason"] = f"Say why you are {verb} the risk."
    if target == "accepted":
        if approver_id is None:
            problems["approver"] = "Name who approves accepting the risk."
        if expires_on is None:
            problems["expires_on"] = "Give the date the acceptance expires."
        elif expires_on <= today:
            problems["expires_on"] = "The acceptance must expire after today."
    return problems


def acceptance_expired(status: str, expires_on: date | None, today: date) -> bool:
    """An accepted risk reopens once its acceptance has expired (on the expiry date itself)."""
    return status == "accepted" and expires_on is not None and expires_on <= today


def acceptance_expired_sql(
    status: ColumnElement[str], expires_on: ColumnElement[date], today: date
) -> ColumnElement[bool]:
    """SQL form of acceptance_expired()."""
    return sa.and_(status == "accepted", expires_on.isnot(None), expires_on <= today)
