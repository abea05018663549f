"""The Jira sync against a local Jira (Data Center and Cloud shapes), through the real package."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.jira import links
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.mitigations.services import add_mitigation
from tracker.models import DriftFlag, JiraTicket


@pytest.fixture
def mitigation(factory, clock):
    team = factory.team("payments", "Payments")
    risk = factory.risk(team=team, title="Primary database in one zone")
    return add_mitigation(
        risk,
        {
            "title": "Replica in a second zone",
            "team": "payments",
            "due_date": clock.current.date() + timedelta(days=30),
        },
        None,
    )


def sync(app, **kwargs):
    return run_sync(JiraSettings.from_config(app.config), **kwargs)


def ticket(key: str) -> JiraTicket:
    return db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == key))


def test_sync_caches_the_ticket_and_a_following_mitigation_takes_its_status(app, jira, mitigation):
    jira.add_ticket(
        "OPS-1",
        summary="Add replica",
        status_name="In Progress",
        status_category="indeterminate",
        assignee="Ana Ops",
        duedate="2026-04-01",
        fix_versions=["2026.3"],
    )
    links.add_link(mitigation, "ops-1", None)
    run = sync(app, full=True)
    assert run.status == "succeeded", run.error
    cached = ticket("OPS-1")
    assert (cached.summary, cached.state, cached.assignee) == (
        "Add replica",
        "in_progress",
        "Ana Ops",
    )
    assert cached.due_date == date(2026, 4, 1) and cached.fix_versions == "2026.3"
    assert mitigation.status == "in_progress"
    assert mitigation.risk.status == "mitigating"


def test_a_deleted_ticket_marks_the_link_broken_never_done(app, jira, mitigation):
    jira.add_ticket("OPS-1", status_name="Done", status_category="done", resolution="Done")
    jira.add_ticket("OPS-2", status_name="Done", status_category="done", resolution="Done")
    links.add_link(mitigation, "OPS-1", None)
    links.add_link(mitigation, "OPS-2", None)
    jira.delete_ticket("OPS-2")
    run = sync(app, full=True)
    assert run.status == "succeeded"
    assert ticket("OPS-2").broken and not ticket("OPS-1").broken
    assert mitigation.status == "planned", "a broken link must never let the sync call it done"
    kinds = set(db.session.scalars(sa.select(DriftFlag.kind)))
    assert kinds == {"link_broken"}


def test_n_tickets_cost_about_n_over_batch_searches(app, jira, mitigation):
    for number in range(1, 121):
        jira.add_ticket(f"OPS-{number}", status_name="To Do", status_category="new")
        links.add_link(mitigation, f"OPS-{number}", None)
    jira.clear_requests()
    run = sync(app, full=True)
    searches = jira.search_requests()
    assert run.tickets_read == 120
    # Batches of 50: three searches for the tickets, three for their children (epic progress).
    assert len(searches) == 6
    assert sum("parent in" in str(r.param("jql")) for r in searches) == 3
    # Plus the server info and the field list.
    assert run.requests <= 6 + 2
