"""Moving many mitigations' statuses at once, as the Jira sync does for a batch of tickets.

The same change and history as `services.apply_changes` one mitigation at a time, with a
constant number of flushes and statements per batch instead of a flush per mitigation and
two statements per risk that starts (a first sync moves thousands).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tracker import clock
from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.mitigations.services import set_values, without_note_text
from tracker.models import Mitigation, Risk
from tracker.risks import history


@dataclass(frozen=True)
class StatusMove:
    mitigation: Mitigation
    status: str
    reason: str


def move_statuses(moves: list[StatusMove]) -> int:
    """Set each mitigation's status (no actor: the tracker itself), record the history, and
    move each open risk whose first mitigation starts to mitigating; returns how many
    mitigations changed. Nothing is committed."""
    moved = []
    for move in moves:
        old_status = move.mitigation.status
        changes = set_values(move.mitigation, {"status": move.status}, None)
        if changes:
            moved.append((move, old_status, changes))
    if not moved:
        return 0
    # One flush gives every mitigation the version its history event carries.
    db.session.flush()
    for move, _, changes in moved:
        history.record(
            move.mitigation.risk,
            None,
            without_note_text(changes),
            reason=move.reason,
            mitigation=move.mitigation,
            flush=False,
        )
    _start_risks([(move.mitigation, old_status) for move, old_status, _ in moved])
    return len(moved)


def _start_risks(started: list[tuple[Mitigation, str]]) -> None:
    """Move to mitigating each risk that one of these mitigations (each with the status it
    had) starts, deciding on the risk as it is now, under its lock — as
    services._start_risk_if_first does for one, so a person's save at the same moment is not
    written over."""
    first: dict[int, tuple[Mitigation, str]] = {}
    for mitigation, old_status in started:
        risk = mitigation.risk
        if risk.id not in first and rules.starts_risk_mitigation(
            risk.status, old_status, mitigation.status
        ):
            first[risk.id] = (mitigation, old_status)
    if not first:
        return
    table = Risk.__table__
    ids = sorted(first)  # one order for every locker
    db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(id=table.c.id))
    risks = db.session.scalars(
        sa.select(Risk).where(Risk.id.in_(ids)).execution_options(populate_existing=True)
    ).all()
    starting = []
    for risk in risks:
        mitigation, old_status = first[risk.id]
        if rules.starts_risk_mitigation(risk.status, old_status, mitigation.status):
            risk.status = "mitigating"
            risk.updated_at = clock.now()
            starting.append((risk, mitigation))
    db.session.flush()
    for risk, mitigation in starting:
        history.record(
            risk,
            None,
            [("status", "open", "mitigating")],
            reason=f"{mitigation.label} started: {mitigation.title}",
            flush=False,
        )
