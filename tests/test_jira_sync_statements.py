"""What a Jira sync costs the database: the same statements per batch however many of the
batch's tickets changed, mitigations moved or risks started."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries, new_mitigation
from tracker.extensions import db
from tracker.jira import links
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.models import DriftFlag, JiraLink, JiraTicket, Mitigation, Risk, RiskEvent

STARTED = {"status_name": "In Progress", "status_category": "indeterminate"}


@pytest.fixture
def one_batch(app):
    """Every ticket of these tests in one search and one batch."""
    app.config["JIRA_BATCH_SIZE"] = 100


def linked(factory, clock, jira, mitigations: int, tickets_each: int = 1) -> None:
    """`mitigations` following mitigations, each on its own open risk, with their tickets in
    progress in Jira (so the first sync moves every mitigation and starts every risk)."""
    team = factory.team()
    for m in range(mitigations):
        risk = factory.risk(team=team, title=f"Risk {m}")
        mitigation = new_mitigation(risk, clock, f"Work {m}", team.slug, follow=True)
        for t in range(tickets_each):
            key = f"OPS-{m * tickets_each + t + 1}"
            jira.add_ticket(key, assignee="Ana Ops", **STARTED)
            links.add_link(mitigation, key, None)


def statements_of_sync(app, clock) -> list[str]:
    clock.advance(minutes=5)
    db.session.expire_all()
    with counting_queries() as statements:
        run = run_sync(JiraSettings.from_config(app.config), full=True)
    assert run.status == "succeeded", run.error
    return statements


def reads(statements: list[str]) -> int:
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)


def first_and_second_sync(app, clock, factory, jira, mitigations: int):
    """The first sync's statements and the second's, over a world of `mitigations`."""
    linked(factory, clock, jira, mitigations)
    first = statements_of_sync(app, clock)
    moved = db.session.scalars(sa.select(Mitigation.status).distinct()).all()
    assert moved == ["in_progress"]
    assert set(db.session.scalars(sa.select(Risk.status))) == {"mitigating"}
    return first, statements_of_sync(app, clock)


def test_a_batch_reads_the_same_for_5_or_60_tickets_and_writes_only_what_changed(
    app, clock, factory, jira, one_batch
):
    few_first, few_second = first_and_second_sync(app, clock, factory, jira, 5)
    for model in (RiskEvent, DriftFlag, JiraLink, JiraTicket, Mitigation, Risk):
        db.session.execute(sa.delete(model))  # a second world in the same database
    db.session.commit()
    jira.tickets.clear()
    many_first, many_second = first_and_second_sync(app, clock, factory, jira, 60)
    assert len(many_second) == len(few_second), "nothing changed: the same statements"
    assert reads(many_first) == reads(few_first), "no read per ticket, mitigation or risk"
    # At most each moved mitigation's UPDATE and history row, and its risk's (where the
    # database can, the history rows go in one INSERT).
    assert len(many_first) - len(few_first) <= 4 * (60 - 5)


def test_the_first_sync_records_each_move_and_each_start_once(app, clock, factory, jira, one_batch):
    linked(factory, clock, jira, 3, tickets_each=2)
    statements_of_sync(app, clock)
    moves = db.session.execute(
        sa.select(RiskEvent.mitigation_id, RiskEvent.field, RiskEvent.new_value, RiskEvent.version)
        .where(RiskEvent.reason.like("Jira sync:%"))
        .order_by(RiskEvent.mitigation_id)
    ).all()
    versions = dict(db.session.execute(sa.select(Mitigation.id, Mitigation.version)).all())
    assert [(field, value) for _, field, value, _ in moves] == [("status", "in_progress")] * 3
    assert all(version == versions[mitigation_id] for mitigation_id, _, _, version in moves)
    starts = db.session.execute(
        sa.select(RiskEvent.risk_id, RiskEvent.version, Risk.version)
        .join(Risk, Risk.id == RiskEvent.risk_id)
        .where(RiskEvent.field == "status", RiskEvent.mitigation_id.is_(None))
    ).all()
    assert len(starts) == 3
    assert all(event_version == risk_version for _, event_version, risk_version in starts)
