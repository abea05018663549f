"""A risk's stored mitigation work state follows every change to its mitigations.

Risk.mitigation_work answers the dashboard's "no mitigation" and "complete, not re-scored"; a
hook on the session recomputes it after each flush (tracker.mitigations.work_state).
"""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.mitigations import services, work_state
from tracker.mitigations.status_moves import StatusMove, move_statuses
from tracker.models import Mitigation, Risk

DUE = date(2026, 3, 20)


def add(risk: Risk, title: str, **fields) -> Mitigation:
    return services.add_mitigation(
        risk, {"title": title, "team": "payments", "due_date": DUE, **fields}, None
    )


def set_status(mitigation: Mitigation, status: str) -> None:
    note = "Waiting on the network team" if status == "blocked" else ""
    services.update_mitigation(
        mitigation, {"status": status}, None, expected_version=mitigation.version, note=note
    )


def stored(risk: Risk) -> str:
    """The state as committed in the database (not the session's copy)."""
    return db.session.scalar(sa.select(Risk.mitigation_work).where(Risk.id == risk.id))


def stored_states() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Risk.id, Risk.mitigation_work)).all())


def states_from_mitigations() -> dict[int, str]:
    statuses: dict[int, list[str]] = {}
    for risk_id, status in db.session.execute(sa.select(Mitigation.risk_id, Mitigation.status)):
        statuses.setdefault(risk_id, []).append(status)
    return {
        risk_id: rules.work_state(statuses.get(risk_id, []))
        for risk_id in db.session.scalars(sa.select(Risk.id))
    }


def test_a_new_risk_has_no_live_mitigation(factory, payments):
    risk = factory.risk(team=payments)
    assert stored(risk) == "none"


def test_the_state_follows_adding_finishing_cancelling_and_reopening(factory, payments):
    risk = factory.risk(team=payments)
    first = add(risk, "Add a read replica")
    assert stored(risk) == "open"
    second = add(risk, "Fail over monthly")
    set_status(first, "done")
    assert stored(risk) == "open", "one mitigation is still planned"
    set_status(second, "cancelled")
    assert stored(risk) == "done"
    set_status(first, "cancelled")
    assert stored(risk) == "none", "only cancelled mitigations left"
    set_status(second, "blocked")
    assert stored(risk) == "open"


def test_the_session_sees_the_new_state_without_a_reload(factory, payments):
    risk = factory.risk(team=payments)
    mitigation = add(risk, "Add a read replica")
    assert risk.mitigation_work == "open"
    set_status(mitigation, "done")
    assert risk.mitigation_work == "done"


def test_refreshing_the_state_is_not_an_edit_of_the_risk(factory, payments):
    risk = factory.risk(team=payments)
    version, updated_at = risk.version, risk.updated_at
    mitigation = add(risk, "Add a read replica")
    set_status(mitigation, "done")
    db.session.expire_all()
    assert (risk.version, risk.updated_at) == (version, updated_at)


def test_status_moves_of_a_sync_batch_refresh_each_risk(factory, payments):
    risks = [factory.risk(team=payments) for _ in range(3)]
    mitigations = [add(risk, f"Work on {risk.key}") for risk in risks]
    extra = add(risks[2], "More work")
    moves = [
        StatusMove(mitigations[0], "done", "Jira says done"),
        StatusMove(mitigations[1], "cancelled", "Jira says won't do"),
        StatusMove(mitigations[2], "done", "Jira says done"),
    ]
    assert move_statuses(moves) == 3
    db.session.commit()
    assert [stored(risk) for risk in risks] == ["done", "none", "open"]
    move_statuses([StatusMove(extra, "cancelled", "Jira says won't do")])
    db.session.commit()
    assert stored(risks[2]) == "done"


def test_a_rolled_back_change_leaves_the_state_as_it_was(factory, payments):
    risk = factory.risk(team=payments)
    mitigation = add(risk, "Add a read replica")
    mitigation.status = "done"
    db.session.flush()
    assert stored(risk) == "done"
    db.session.rollback()
    assert stored(risk) == "open"


def test_refresh_all_mends_rows_written_below_the_orm(factory, payments):
    risk = factory.risk(team=payments)
    row = {"risk_id": risk.id, "team_id": payments.id, "title": "Bulk", "position": 1}
    row |= {"due_date": DUE, "original_due_date": DUE, "status": "done"}
    db.session.execute(sa.insert(Mitigation), [row])
    db.session.commit()
    assert stored(risk) == "none", "a bulk INSERT bypasses the hook"
    work_state.refresh_all()
    db.session.commit()
    assert stored(risk) == "done"


def test_any_sequence_of_changes_keeps_every_state_true(factory, payments):
    """Random adds and status changes, flushed in random groups: after each commit every
    stored state equals the state worked out from the mitigations."""
    picker = random.Random(14)
    risks = [factory.risk(team=payments) for _ in range(4)]
    mitigations: list[Mitigation] = []
    for step in range(60):
        if not mitigations or picker.random() < 0.3:
            risk = picker.choice(risks)
            mitigation = Mitigation(risk=risk, team=payments, title=f"Step {step}", position=step)
            mitigation.due_date = mitigation.original_due_date = DUE
            mitigation.status = picker.choice(rules.STATUSES)
            db.session.add(mitigation)
            mitigations.append(mitigation)
        else:
            picker.choice(mitigations).status = picker.choice(rules.STATUSES)
        if picker.random() < 0.4:
            db.session.commit()
            assert stored_states() == states_from_mitigations(), f"after step {step}"
    db.session.commit()
    assert stored_states() == states_from_mitigations()
