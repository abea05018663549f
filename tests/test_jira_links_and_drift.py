"""Linking Jira tickets to risks and mitigations; the drift the sync raises and clears; and
mitigations that follow Jira."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import new_mitigation
from tracker.extensions import db
from tracker.jira import links
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.mitigations.services import update_mitigation
from tracker.models import DriftFlag, JiraLink, JiraTicket, Mitigation, RiskEvent
from tracker.risks import services as risk_services
from tracker.validation import PermissionDenied, ValidationError

DONE = {"status_name": "Done", "status_category": "done", "resolution": "Done"}
STARTED = {"status_name": "In Progress", "status_category": "indeterminate"}


@pytest.fixture
def team(factory):
    return factory.team("sre", "SRE")


@pytest.fixture
def risk(factory, team):
    return factory.risk(team=team, title="Primary database in one zone")


@pytest.fixture
def mitigation(risk, clock) -> Mitigation:
    """A mitigation that only flags drift (its status is set in the tracker)."""
    return new_mitigation(risk, clock, follow=False)


@pytest.fixture
def following(risk, clock) -> Mitigation:
    """A mitigation that takes its status from its tickets."""
    return new_mitigation(risk, clock, follow=True)


def sync(app, clock, full: bool = False):
    """The default (incremental) sync cron runs, a few minutes after the last one."""
    clock.advance(minutes=5)
    run = run_sync(JiraSettings.from_config(app.config), full=full)
    assert run.status == "succeeded", run.error
    return run


def link(jira, item, key: str, **fields) -> None:
    jira.add_ticket(key, **{"assignee": "Ana Ops", **fields})
    links.add_link(item, key, None)


def flags(item=None) -> set[tuple[str, str | None]]:
    query = sa.select(DriftFlag)
    if isinstance(item, Mitigation):
        query = query.where(DriftFlag.mitigation_id == item.id)
    elif item is not None:
        query = query.where(DriftFlag.risk_id == item.id, DriftFlag.mitigation_id.is_(None))
    return {(flag.kind, flag.ticket_key) for flag in db.session.scalars(query)}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Adding and removing links ---------------------------------------------------------------------


def test_add_link_upper_cases_the_key(mitigation):
    created = links.add_link(mitigation, "  ops-12 ", None)

    assert created.ticket.key == "OPS-12"
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-12"]


@pytest.mark.parametrize("text", ["OPS", "12", "OPS-0", "OPS 12", "-12", ""])
def test_add_link_refuses_what_is_not_a_jira_key(mitigation, text):
    with pytest.raises(ValidationError, match="A Jira key looks like ABC-123"):
        links.add_link(mitigation, text, None)

    assert count(JiraLink) == 0


def test_add_link_refuses_a_key_already_linked_to_the_item(mitigation):
    links.add_link(mitigation, "OPS-12", None)

    with pytest.raises(ValidationError, match="OPS-12 is already linked here"):
        links.add_link(mitigation, "ops-12", None)

    assert count(JiraLink) == 1


def test_the_same_key_on_two_items_is_one_ticket_with_two_links(risk, mitigation):
    links.add_link(risk, "OPS-12", None)
    links.add_link(mitigation, "OPS-12", None)

    assert count(JiraTicket) == 1
    assert count(JiraLink) == 2


def test_remove_link_removes_the_link_and_its_drift_flags(app, jira, clock, mitigation):
    link(jira, mitigation, "OPS-1", assignee=None)
    link(jira, mitigation, "OPS-2", assignee=None)
    sync(app, clock)
    assert flags(mitigation) == {("ticket_unassigned", "OPS-1"), ("ticket_unassigned", "OPS-2")}

    links.remove_link(mitigation, "ops-1", None)

    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-2"]
    assert flags(mitigation) == {("ticket_unassigned", "OPS-2")}


def test_unlinking_the_only_ticket_leaves_no_drift_on_the_mitigation(app, jira, clock, mitigation):
    link(jira, mitigation, "OPS-1", **DONE)
    sync(app, clock)
    assert flags(mitigation) == {("jira_done_mitigation_open", None)}

    links.remove_link(mitigation, "OPS-1", None)
    sync(app, clock)

    assert flags(mitigation) == set()


def test_remove_link_refuses_a_key_that_is_not_linked(mitigation):
    with pytest.raises(ValidationError, match="OPS-3 is not linked here"):
        links.remove_link(mitigation, "ops-3", None)


# Who may link ----------------------------------------------------------------------------------


def test_a_viewer_may_not_link_or_unlink(factory, risk, mitigation):
    viewer = factory.user(role="viewer")
    links.add_link(mitigation, "OPS-1", None)

    with pytest.raises(PermissionDenied):
        links.add_link(mitigation, "OPS-2", viewer)
    with pytest.raises(PermissionDenied):
        links.add_link(risk, "OPS-2", viewer)
    with pytest.raises(PermissionDenied):
        links.remove_link(mitigation, "OPS-1", viewer)
    assert count(JiraLink) == 1


def test_a_manager_of_another_team_may_not_link(factory, mitigation):
    other = factory.user(role="manager", teams=[factory.team("web", "Web")])

    with pytest.raises(PermissionDenied):
        links.add_link(mitigation, "OPS-1", other)


def test_a_manager_of_the_mitigations_team_may_link(factory, team, mitigation):
    manager = factory.user(role="manager", teams=[team])

    created = links.add_link(mitigation, "OPS-1", manager)

    assert created.created_by == manager


# Drift flags: raised by a sync, cleared by the next once the disagreement ends -----------------


def test_jira_done_mitigation_open_is_raised_and_clears_when_the_ticket_reopens(
    app, jira, clock, mitigation
):
    link(jira, mitigation, "OPS-1", **DONE)
    sync(app, clock)
    assert flags(mitigation) == {("jira_done_mitigation_open", None)}
    assert mitigation.status == "planned", "a mitigation that does not follow Jira is not moved"

    jira.update_ticket("OPS-1", resolution=None, **STARTED)
    sync(app, clock)

    assert flags(mitigation) == set()


def test_a_flag_clears_at_the_next_sync_when_the_tracker_ends_the_disagreement(
    app, jira, clock, mitigation
):
    link(jira, mitigation, "OPS-1", updated="2026-02-20T10:00:00.000+0000", **DONE)
    sync(app, clock)
    assert flags(mitigation) == {("jira_done_mitigation_open", None)}

    update_mitigation(mitigation, {"status": "done"}, None, expected_version=None)
    sync(app, clock)

    assert flags(mitigation) == set()


def test_a_following_mitigation_linked_to_an_already_synced_done_ticket_is_done_next_sync(
    app, jira, clock, risk, following
):
    link(jira, risk, "OPS-1", updated="2026-02-20T10:00:00.000+0000", **DONE)
    sync(app, clock)
    links.add_link(following, "OPS-1", None)

    sync(app, clock)

    assert following.status == "done"


def test_mitigation_done_ticket_open_is_raised_and_clears_when_the_ticket_is_done(
    app, jira, clock, mitigation
):
    update_mitigation(mitigation, {"status": "done"}, None, expected_version=None)
    link(jira, mitigation, "OPS-1", **STARTED)
    sync(app, clock)
    assert flags(mitigation) == {("mitigation_done_ticket_open", "OPS-1")}

    jira.update_ticket("OPS-1", **DONE)
    sync(app, clock)

    assert flags(mitigation) == set()


def test_ticket_due_later_is_raised_and_clears_when_jira_moves_the_due_date(
    app, jira, clock, mitigation
):
    due = mitigation.due_date
    link(jira, mitigation, "OPS-1", duedate=(due + timedelta(days=7)).isoformat())
    sync(app, clock)
    assert flags(mitigation) == {("ticket_due_later", "OPS-1")}

    jira.update_ticket("OPS-1", duedate=due.isoformat())
    sync(app, clock)

    assert flags(mitigation) == set()


def test_a_late_ticket_flag_clears_once_the_ticket_and_the_mitigation_are_both_done(
    app, jira, clock, mitigation
):
    """The reported case: "ticket due later" stayed after both were done."""
    due = mitigation.due_date
    link(jira, mitigation, "OPS-1", duedate=(due + timedelta(days=56)).isoformat())
    sync(app, clock)
    assert flags(mitigation) == {("ticket_due_later", "OPS-1")}

    jira.update_ticket("OPS-1", **DONE)
    update_mitigation(mitigation, {"status": "done"}, None, expected_version=None)
    sync(app, clock)

    assert flags(mitigation) == set()


def test_a_stale_flag_on_finished_work_clears_at_the_next_incremental_sync(
    app, jira, clock, mitigation
):
    """A flag an earlier rule raised on finished work goes at the next sync, even though
    neither the ticket nor the mitigation changed (an incremental sync does not re-read it)."""
    link(jira, mitigation, "OPS-1", updated="2026-02-20T10:00:00.000+0000", **DONE)
    update_mitigation(mitigation, {"status": "done"}, None, expected_version=None)
    sync(app, clock)
    db.session.add(
        DriftFlag(
            risk_id=mitigation.risk_id,
            mitigation_id=mitigation.id,
            kind="ticket_due_later",
            ticket_key="OPS-1",
        )
    )
    db.session.commit()

    sync(app, clock)

    assert flags(mitigation) == set()


def test_a_flag_carries_the_two_values_that_disagree_and_keeps_them_current(
    app, jira, clock, mitigation
):
    due = mitigation.due_date
    link(jira, mitigation, "OPS-1", duedate=(due + timedelta(days=7)).isoformat())
    sync(app, clock)
    flag = db.session.scalar(sa.select(DriftFlag))
    assert flag.detail == (
        f"ticket due {due + timedelta(days=7)}, mitigation due {due.isoformat()}"
    )

    jira.update_ticket("OPS-1", duedate=(due + timedelta(days=9)).isoformat())
    sync(app, clock)

    db.session.refresh(flag)
    assert flag.detail.startswith(f"ticket due {due + timedelta(days=9)},")


def test_the_drift_page_and_the_risk_page_show_the_values_that_disagree(
    app, jira, clock, risk, mitigation, viewer_client
):
    due = mitigation.due_date
    link(jira, mitigation, "OPS-1", duedate=(due + timedelta(days=7)).isoformat())
    sync(app, clock)
    expected = f"ticket due {due + timedelta(days=7)}, mitigation due {due.isoformat()}"

    for path in ("/jira/drift", f"/risks/{risk.key}", f"/mitigations/{mitigation.id}"):
        page = viewer_client.get(path).get_data(as_text=True)
        assert expected in page, path


def test_ticket_unassigned_is_raised_and_clears_when_someone_takes_the_ticket(
    app, jira, clock, mitigation
):
    link(jira, mitigation, "OPS-1", assignee=None)
    sync(app, clock)
    assert flags(mitigation) == {("ticket_unassigned", "OPS-1")}

    jira.update_ticket("OPS-1", assignee="Ana Ops")
    sync(app, clock)

    assert flags(mitigation) == set()


def test_link_broken_on_a_risks_own_link_is_raised_and_clears_when_the_ticket_is_back(
    app, jira, clock, risk
):
    link(jira, risk, "OPS-1")
    jira.set_hidden("OPS-1")
    sync(app, clock)
    assert flags(risk) == {("link_broken", "OPS-1")}

    jira.set_hidden("OPS-1", False)
    sync(app, clock)

    assert flags(risk) == set()


def test_a_broken_link_on_a_closed_risk_is_not_flagged_and_its_old_flag_clears(
    app, jira, clock, risk
):
    link(jira, risk, "OPS-1")
    jira.set_hidden("OPS-1")
    sync(app, clock)
    assert flags(risk) == {("link_broken", "OPS-1")}

    risk_services.change_status(risk, "closed", None, reason="Service retired")
    sync(app, clock)

    assert flags(risk) == set()


def test_link_broken_on_a_mitigations_link_is_raised_and_clears_when_the_ticket_is_back(
    app, jira, clock, following
):
    link(jira, following, "OPS-1")
    jira.delete_ticket("OPS-1")
    sync(app, clock)
    assert flags(following) == {("link_broken", "OPS-1")}

    jira.add_ticket("OPS-1", assignee="Ana Ops")
    sync(app, clock)

    assert flags(following) == set()


# Mitigations that follow Jira ------------------------------------------------------------------


def test_a_following_mitigation_is_done_when_all_its_tickets_are_done(app, jira, clock, following):
    link(jira, following, "OPS-1", **DONE)
    link(jira, following, "OPS-2", status_name="Closed", status_category="done")

    sync(app, clock)

    assert following.status == "done"
    assert following.completed_on == clock.current.date()
    assert flags(following) == set()


def test_a_following_mitigation_goes_back_in_progress_when_a_ticket_reopens(
    app, jira, clock, following
):
    link(jira, following, "OPS-1", **DONE)
    sync(app, clock)
    assert following.status == "done"

    jira.update_ticket("OPS-1", resolution=None, status_name="Reopened", status_category="new")
    jira.update_ticket("OPS-1", **STARTED)
    sync(app, clock)

    assert following.status == "in_progress"
    assert following.completed_on is None


def test_the_sync_records_its_moves_in_the_history_as_the_risk_tracker(
    app, jira, clock, risk, following, admin_client
):
    link(jira, following, "OPS-1", **DONE)

    sync(app, clock)

    event = db.session.scalar(
        sa.select(RiskEvent).where(
            RiskEvent.mitigation_id == following.id, RiskEvent.field == "status"
        )
    )
    assert (event.old_value, event.new_value, event.actor) == ("planned", "done", None)
    assert event.reason.startswith("Jira sync:") and "OPS-1" in event.reason
    page = admin_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    entries = [entry for entry in page.split("<li>") if "Jira sync: OPS-1 done." in entry]
    assert entries and all("<strong>Risk Tracker</strong>" in entry for entry in entries)


def test_links_on_archived_risks_are_not_synced(app, jira, clock, factory, team, admin):
    archived = factory.risk(team=team, title="Old risk")
    old_mitigation = new_mitigation(archived, clock)
    link(jira, archived, "OPS-8")
    link(jira, old_mitigation, "OPS-9", **DONE)
    link(jira, factory.risk(team=team), "OPS-1")
    risk_services.archive(archived, admin, "Gone")

    sync(app, clock)

    searched = " ".join(r.param("jql") for r in jira.search_requests())
    assert "OPS-1" in searched
    assert "OPS-8" not in searched and "OPS-9" not in searched
    assert old_mitigation.status == "planned"
    assert (
        db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == "OPS-9")).synced_at is None
    )


def test_an_archived_risks_mitigation_is_not_moved_through_a_ticket_shared_with_a_live_one(
    app, jira, clock, factory, team, admin, following
):
    archived = factory.risk(team=team, title="Old risk")
    old_mitigation = new_mitigation(archived, clock)
    link(jira, following, "OPS-1", **DONE)
    links.add_link(old_mitigation, "OPS-1", None)
    risk_services.archive(archived, admin, "Gone")

    sync(app, clock)

    assert following.status == "done"
    assert old_mitigation.status == "planned"
