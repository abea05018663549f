"""The statuses a risk moves through, and what each move needs."""

from __future__ import annotations

from datetime import date

STATUSES = ("open", "mitigating", "mitigated", "accepted", "closed")
STATUS_LABELS = {
    "open": "Open",
    "mitigating": "Mitigating",
    "mitigated": "Mitigated",
    "accepted": "Accepted",
    "closed": "Closed",
}
TREATMENTS = ("mitigate", "accept", "avoid", "transfer")
# Statuses in which a risk still threatens availability and is worked on.
ACTIVE_STATUSES = ("open", "mitigating", "accepted")

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
