"""Epic progress from Jira: children done of all, on Data Center and Cloud."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import signed_in_client
from tracker.extensions import db
from tracker.jira import epics, links
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


def add_children(jira, epic: str, done: int, open_: int, start: int = 100) -> None:
    """Children of `epic` as each deployment records them: on Data Center in the Epic Link
    field, on Cloud as their parent."""
    for n in range(done + open_):
        category = "done" if n < done else "indeterminate"
        link = {"parent": epic} if jira.is_cloud else {"epic": epic}
        jira.add_ticket(
            f"OPS-{start + n}",
            status_name="Done" if category == "done" else "In Progress",
            status_category=category,
            issue_type="Story",
            **link,
        )


def test_the_sync_reads_how_many_of_an_epics_children_are_done(app, jira, mitigation):
    jira.add_ticket("OPS-1", issue_type="Epic", status_category="indeterminate")
    add_children(jira, "OPS-1", done=2, open_=3)
    links.add_link(mitigation, "OPS-1", None)

    run = sync(app, full=True)

    assert run.status == "succeeded", run.problems
    epic = ticket("OPS-1")
    assert (epic.children_done, epic.children_total) == (2, 5)


def test_sub_tasks_count_as_children_on_both_deployments(app, jira, mitigation):
    jira.add_ticket("OPS-1", status_category="indeterminate")
    jira.add_ticket("OPS-2", parent="OPS-1", status_name="Done", status_category="done")
    jira.add_ticket("OPS-3", parent="OPS-1", status_category="new")
    links.add_link(mitigation, "OPS-1", None)

    sync(app, full=True)

    assert (ticket("OPS-1").children_done, ticket("OPS-1").children_total) == (1, 2)


def test_a_ticket_without_children_has_no_progress(app, jira, mitigation):
    jira.add_ticket("OPS-1", issue_type="Epic")
    links.add_link(mitigation, "OPS-1", None)

    sync(app, full=True)

    assert (ticket("OPS-1").children_done, ticket("OPS-1").children_total) == (None, None)
    assert epics.progress_by_mitigation([mitigation.id]) == {}


def test_children_on_two_result_pages_are_all_counted(app, jira, mitigation):
    # JIRA_BATCH_SIZE is 50 in the tests, so 70 children come back in two pages.
    jira.add_ticket("OPS-1", issue_type="Epic")
    add_children(jira, "OPS-1", done=45, open_=25)
    links.add_link(mitigation, "OPS-1", None)

    sync(app, full=True)

    assert (ticket("OPS-1").children_done, ticket("OPS-1").children_total) == (45, 70)
    children_searches = [r for r in jira.search_requests() if "parent in" in r.param("jql")]
    assert len(children_searches) == 2


def test_progress_follows_the_children_even_when_the_epic_does_not_change(
    app, jira, mitigation, clock
):
    jira.add_ticket("OPS-1", issue_type="Epic")
    add_children(jira, "OPS-1", done=1, open_=1)
    links.add_link(mitigation, "OPS-1", None)
    sync(app, full=True)
    clock.advance(hours=2)

    jira.update_ticket("OPS-101", status_name="Done", status_category="done")
    sync(app, full=False)

    assert (ticket("OPS-1").children_done, ticket("OPS-1").children_total) == (2, 2)


def test_an_open_epic_whose_children_are_all_done_is_drift(app, jira, mitigation, clock):
    jira.add_ticket("OPS-1", issue_type="Epic", status_category="indeterminate", assignee="ada")
    add_children(jira, "OPS-1", done=3, open_=0)
    links.add_link(mitigation, "OPS-1", None)

    sync(app, full=True)

    kinds = db.session.scalars(sa.select(DriftFlag.kind)).all()
    assert kinds == ["epic_done_ticket_open"]
    clock.advance(hours=1)
    jira.update_ticket("OPS-1", status_name="Done", status_category="done")
    sync(app, full=True)
    assert db.session.scalars(sa.select(DriftFlag.kind)).all() == []


def test_a_dry_run_stores_no_progress(app, jira, mitigation):
    jira.add_ticket("OPS-1", issue_type="Epic")
    add_children(jira, "OPS-1", done=1, open_=1)
    links.add_link(mitigation, "OPS-1", None)

    sync(app, full=True, dry_run=True)

    assert ticket("OPS-1").children_total is None


def test_the_mitigation_risk_and_roadmap_show_the_progress(app, jira, mitigation, admin):
    jira.add_ticket("OPS-1", issue_type="Epic")
    add_children(jira, "OPS-1", done=3, open_=1)
    links.add_link(mitigation, "OPS-1", None)
    sync(app, full=True)
    client = signed_in_client(app, admin)

    for path in (
        f"/mitigations/{mitigation.id}",
        f"/risks/{mitigation.risk.key}",
        "/roadmap",
    ):
        page = client.get(path).get_data(as_text=True)
        assert '<progress max="4" value="3"' in page, path
        assert "3 of 4 child issues done" in page, path


def test_the_api_gives_the_roadmaps_epic_progress(app, jira, mitigation, admin):
    from tracker.api import tokens

    jira.add_ticket("OPS-1", issue_type="Epic")
    add_children(jira, "OPS-1", done=1, open_=2)
    links.add_link(mitigation, "OPS-1", None)
    sync(app, full=True)
    token = tokens.create_token(admin, "tests")[1]

    body = (
        app.test_client()
        .get("/api/v1/roadmap", headers={"Authorization": f"Bearer {token}"})
        .get_json()
    )

    assert body["items"][0]["epic_progress"] == {"done": 1, "total": 3}


def test_the_children_search_quotes_nothing_it_does_not_need_to():
    assert epics.children_jql(["OPS-1", "OPS-2"], None) == "parent in (OPS-1, OPS-2) ORDER BY key"
    assert epics.children_jql(["OPS-1"], "customfield_10008") == (
        "cf[10008] in (OPS-1) OR parent in (OPS-1) ORDER BY key"
    )
