"""The Jira sync when Jira misbehaves: credentials, throttling, broken answers, the lease, and
incremental reads. Every fault comes from the local Jira test server, in both deployment
shapes unless a test says otherwise."""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import new_mitigation
from tests.jira_server import DEFAULT_USER, FakeJira
from tracker.extensions import db
from tracker.jira import drift, links, lock
from tracker.jira.client import BatchFailed
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import SyncBusy, run_sync
from tracker.models import DriftFlag, JiraTicket, RiskEvent, SyncLock, SyncRun

SEARCH = "/rest/api/2/search"  # both /search (Data Center) and /search/jql (Cloud)
SERVER_INFO = "/rest/api/2/serverInfo"
WRONG_TOKEN = "wrong-token-5f3a9c"


@pytest.fixture
def risk(factory):
    return factory.risk(team=factory.team("sre", "SRE"), title="Primary database in one zone")


@pytest.fixture
def mitigation(risk, clock):
    return new_mitigation(risk, clock)


def link_tickets(jira, item, *keys: str, **fields) -> None:
    for key in keys:
        jira.add_ticket(key, **fields)
        links.add_link(item, key, None)


def sync(app, full: bool = True, **kwargs) -> SyncRun:
    return run_sync(JiraSettings.from_config(app.config), full=full, **kwargs)


def ticket(key: str) -> JiraTicket:
    return db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == key))


def problems(run: SyncRun) -> str:
    return " ".join(json.loads(run.problems or "[]"))


def start_in_progress(jira, *keys: str) -> None:
    for key in keys:
        jira.update_ticket(
            key, status_name="In Progress", status_category="indeterminate", assignee="Ana Ops"
        )


# Credentials and permission --------------------------------------------------------------------


def test_wrong_credentials_fail_the_run_at_once_and_write_nothing(
    app, jira, mitigation, retry_sleeps
):
    link_tickets(jira, mitigation, "OPS-1", assignee="Ana Ops")
    assert sync(app).status == "succeeded"
    start_in_progress(jira, "OPS-1")
    app.config["JIRA_TOKEN"] = WRONG_TOKEN
    jira.clear_requests()

    run = sync(app)

    assert run.status == "failed"
    assert "401" in run.error and "JIRA_USER" in run.error and "JIRA_TOKEN" in run.error
    assert len(jira.requests) == 1 and retry_sleeps == [], "no retry, no search"
    assert ticket("OPS-1").state == "planned"
    assert mitigation.status == "planned"


def test_the_token_never_appears_in_the_error_the_logs_or_the_cli_output(
    app, jira, mitigation, runner, caplog
):
    caplog.set_level(logging.DEBUG)
    link_tickets(jira, mitigation, "OPS-1")
    app.config["JIRA_TOKEN"] = WRONG_TOKEN
    encoded = base64.b64encode(f"{DEFAULT_USER}:{WRONG_TOKEN}".encode()).decode()

    run = sync(app)
    result = runner.invoke(args=["jira", "sync"])

    assert run.status == "failed" and result.exit_code == 1
    for text in (run.error, caplog.text, result.output):
        assert WRONG_TOKEN not in text and encoded not in text


@pytest.mark.parametrize("deployment", ["DataCenter", "Cloud"])
def test_a_personal_access_token_is_sent_as_bearer(app, clock, risk, deployment):
    with FakeJira(deployment, basic_auth=None, token="pat-secret-77", clock=clock) as fake:
        app.config.update(JIRA_URL=fake.url, JIRA_PAT="pat-secret-77", JIRA_TIMEOUT=2.0)
        app.config.update(JIRA_USER=None, JIRA_TOKEN=None)
        link_tickets(fake, risk, "OPS-1")

        run = sync(app)

        assert run.status == "succeeded", run.error
        assert run.tickets_read == 1 and not ticket("OPS-1").broken
        assert {r.auth_scheme for r in fake.requests} == {"Bearer"}


def test_forbidden_fails_the_run_with_a_403_message(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    jira.forbidden = True

    run = sync(app)

    assert run.status == "failed"
    assert "403" in run.error
    assert ticket("OPS-1").synced_at is None


# Throttling and server errors ------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_with_retry_after_is_retried_then_the_run_succeeds(
    app, jira, mitigation, retry_sleeps, status
):
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail(SEARCH, status, headers={"Retry-After": "3"})

    run = sync(app)

    assert run.status == "succeeded", run.error
    assert len(retry_sleeps) == 1 and 3 <= retry_sleeps[0] <= 6
    assert not jira.pending_faults
    assert ticket("OPS-1").synced_at is not None


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_beyond_the_retries_fails_the_run_keeping_earlier_batches(
    app, jira, mitigation, retry_sleeps, status
):
    app.config.update(JIRA_BATCH_SIZE=1, JIRA_MAX_RETRIES=2)
    link_tickets(jira, mitigation, "OPS-1", "OPS-2")
    jira.fail(SEARCH, None)  # the first batch's search answers normally
    jira.fail(SEARCH, status, headers={"Retry-After": "1"}, times=3)

    run = sync(app)

    assert run.status == "failed"
    assert "rate-limiting" in run.error and str(status) in run.error
    assert len(retry_sleeps) == 2
    assert ticket("OPS-1").synced_at is not None, "the first batch stays applied"
    assert ticket("OPS-2").synced_at is None


@pytest.fixture
def three_tickets_second_batch_fails(app, jira, mitigation):
    """OPS-1..3 read once as To Do, then all started in Jira; the search for OPS-2 will 500."""
    app.config["JIRA_BATCH_SIZE"] = 1
    link_tickets(jira, mitigation, "OPS-1", "OPS-2", "OPS-3", assignee="Ana Ops")
    assert sync(app).status == "succeeded"
    start_in_progress(jira, "OPS-1", "OPS-2", "OPS-3")
    jira.fail(SEARCH, None)
    jira.fail(SEARCH, 500)
    return jira


def test_a_server_error_on_one_batch_makes_the_run_partial_and_skips_only_that_batch(
    app, three_tickets_second_batch_fails
):
    run = sync(app)

    assert run.status == "partial"
    assert "OPS-2" in problems(run) and "500" in problems(run)
    assert [ticket(k).state for k in ("OPS-1", "OPS-2", "OPS-3")] == [
        "in_progress",
        "planned",
        "in_progress",
    ]


def test_the_next_run_picks_up_the_batch_that_failed(app, three_tickets_second_batch_fails):
    assert sync(app).status == "partial"

    run = sync(app, full=False)

    assert run.status == "succeeded", run.error
    assert ticket("OPS-2").state == "in_progress"


def test_a_timeout_makes_the_run_partial(app, jira, mitigation):
    # Long enough for connecting (server info) on a loaded machine, short beside the slow search.
    app.config["JIRA_TIMEOUT"] = 1.0
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail_slow(SEARCH, 2.5)

    run = sync(app)

    assert run.status == "partial"
    assert "no answer within JIRA_TIMEOUT" in problems(run)
    assert ticket("OPS-1").synced_at is None


def test_a_dropped_connection_is_retried_then_the_run_is_partial(
    app, jira, mitigation, retry_sleeps
):
    app.config.update(JIRA_MAX_RETRIES=2, JIRA_MAX_RETRY_DELAY=5)
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail_drop(SEARCH, times=3)

    run = sync(app)

    assert run.status == "partial"
    assert "ConnectionError" in problems(run)
    assert len(retry_sleeps) == 2 and max(retry_sleeps) <= 5


# Answers that are not what Jira sends ----------------------------------------------------------


def test_an_sso_login_page_on_search_makes_the_run_partial_saying_not_json(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail_html(SEARCH)

    run = sync(app)

    assert run.status == "partial"
    assert "not JSON" in problems(run)


def test_a_login_page_instead_of_server_info_fails_the_run(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail_html(SERVER_INFO)

    run = sync(app)

    assert run.status == "failed"
    assert "did not answer like Jira" in run.error


def test_a_search_answer_without_issues_makes_the_run_partial(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    jira.fail(SEARCH, 200, body={"startAt": 0, "maxResults": 50, "total": 1, "isLast": True})

    run = sync(app)

    assert run.status == "partial"
    assert "no issue list" in problems(run)


def test_an_issue_without_fields_makes_the_run_partial(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    issue = {"id": "10000", "key": "OPS-1"}
    jira.fail(SEARCH, 200, body={"startAt": 0, "total": 1, "isLast": True, "issues": [issue]})

    run = sync(app)

    assert run.status == "partial"
    assert "without fields" in problems(run)
    assert ticket("OPS-1").synced_at is None


def test_an_unreachable_server_fails_the_run(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    jira.stop()

    run = sync(app)

    assert run.status == "failed"
    assert "cannot be reached" in run.error


# Tickets that are gone, hidden or oddly shaped -------------------------------------------------


def test_a_deleted_key_breaks_only_its_link_and_the_rest_of_the_batch_is_applied(
    app, jira, mitigation
):
    link_tickets(jira, mitigation, "OPS-1", "OPS-2", "OPS-3", assignee="Ana Ops")
    start_in_progress(jira, "OPS-1", "OPS-3")
    jira.delete_ticket("OPS-2")

    run = sync(app)

    assert run.status == "succeeded"
    assert (run.tickets_read, run.links_broken) == (2, 1)
    assert ticket("OPS-2").broken and ticket("OPS-2").state is None
    assert [ticket(k).state for k in ("OPS-1", "OPS-3")] == ["in_progress", "in_progress"]


def test_a_hidden_ticket_is_broken_on_a_full_run(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", "OPS-2")
    jira.set_hidden("OPS-2")

    run = sync(app)

    assert run.links_broken == 1
    assert ticket("OPS-2").broken and "hidden" in ticket("OPS-2").broken_reason
    assert not ticket("OPS-1").broken


@pytest.mark.jira_deployment("DataCenter")
def test_data_center_statuses_without_a_category_take_their_state_from_the_resolution(
    app, jira, risk
):
    link_tickets(
        jira, risk, "OPS-1", status_name="Closed", status_category=None, resolution="Fixed"
    )
    link_tickets(
        jira, risk, "OPS-2", status_name="Closed", status_category=None, resolution="Won't Fix"
    )
    link_tickets(jira, risk, "OPS-3", status_name="Open", status_category=None)

    run = sync(app)

    assert run.status == "succeeded"
    assert [ticket(k).state for k in ("OPS-1", "OPS-2", "OPS-3")] == [
        "done",
        "cancelled",
        "planned",
    ]
    assert ticket("OPS-1").status_category is None and ticket("OPS-1").status == "Closed"


@pytest.mark.jira_deployment("Cloud")
def test_a_cloud_issue_without_status_is_planned(app, jira, risk):
    link_tickets(jira, risk, "OPS-1", status_name=None)

    run = sync(app)

    assert run.status == "succeeded"
    assert (ticket("OPS-1").state, ticket("OPS-1").status) == ("planned", None)


def test_a_following_mitigation_does_not_move_while_a_ticket_is_broken(app, jira, mitigation):
    done = {"status_name": "Done", "status_category": "done", "resolution": "Done"}
    link_tickets(jira, mitigation, "OPS-1", "OPS-2", **done)
    jira.set_hidden("OPS-2")

    sync(app)

    assert ticket("OPS-2").broken
    assert mitigation.status == "planned"


# Dry runs and transactions ---------------------------------------------------------------------


def test_a_dry_run_writes_nothing_but_reports_what_it_read(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", assignee="Ana Ops")
    assert sync(app).status == "succeeded"
    later = (mitigation.due_date + timedelta(days=10)).isoformat()
    jira.update_ticket(
        "OPS-1", status_name="In Progress", status_category="indeterminate", duedate=later
    )
    link_tickets(jira, mitigation, "OPS-2", assignee="Ana Ops")
    events = db.session.scalar(sa.select(sa.func.count(RiskEvent.id)))

    run = sync(app, dry_run=True)

    assert (run.status, run.dry_run) == ("succeeded", True)
    assert (run.tickets_read, run.tickets_changed, run.mitigations_changed) == (2, 2, 1)
    assert ticket("OPS-1").state == "planned" and ticket("OPS-1").due_date is None
    assert ticket("OPS-2").synced_at is None
    assert mitigation.status == "planned"
    assert db.session.scalars(sa.select(DriftFlag)).all() == []
    assert db.session.scalar(sa.select(sa.func.count(RiskEvent.id))) == events


def test_a_batch_that_fails_while_being_applied_is_rolled_back_entirely(
    app, jira, risk, clock, monkeypatch
):
    app.config["JIRA_BATCH_SIZE"] = 1
    first = new_mitigation(risk, clock, "First")
    second = new_mitigation(risk, clock, "Second")
    done = {"status_name": "Done", "status_category": "done", "resolution": "Done"}
    link_tickets(jira, first, "OPS-1", **done)
    later = (second.due_date + timedelta(days=10)).isoformat()
    link_tickets(jira, second, "OPS-2", duedate=later, **done)
    real_apply = drift.apply_to_items
    calls = []

    def apply_then_fail_on_the_second_batch(ticket_ids):
        calls.append(ticket_ids)
        changed = real_apply(ticket_ids)
        if len(calls) == 2:
            raise BatchFailed("injected failure while applying")
        return changed

    monkeypatch.setattr(drift, "apply_to_items", apply_then_fail_on_the_second_batch)
    second_events = sa.select(sa.func.count(RiskEvent.id)).where(
        RiskEvent.mitigation_id == second.id
    )
    events_before = db.session.scalar(second_events)

    run = sync(app)

    assert run.status == "partial" and "injected" in problems(run)
    assert (ticket("OPS-1").state, first.status) == ("done", "done")
    assert ticket("OPS-2").synced_at is None and ticket("OPS-2").state is None
    assert second.status == "planned"
    flagged = sa.select(DriftFlag).where(DriftFlag.mitigation_id == second.id)
    assert db.session.scalars(flagged).all() == []
    assert db.session.scalar(second_events) == events_before, "no status change survives"


# The lease -------------------------------------------------------------------------------------


def test_a_held_lease_stops_run_sync_with_sync_busy(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1")
    assert lock.acquire("someone-else", 600)
    jira.clear_requests()

    with pytest.raises(SyncBusy, match=r"Another Jira sync is running .*this one did not start"):
        sync(app)

    assert db.session.scalars(sa.select(SyncRun)).all() == []
    assert jira.requests == []
    assert db.session.get(SyncLock, "jira").holder == "someone-else"


def test_cli_sync_exits_1_with_one_line_when_the_lease_is_held(app, jira, runner):
    assert lock.acquire("someone-else", 600)

    result = runner.invoke(args=["jira", "sync"])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Another Jira sync is running (its lease runs until 2026-03-02 09:10 UTC); "
        "this one did not start."
    ]


@pytest.mark.parametrize("how", ["expired at once", "clock moved past it"])
def test_an_expired_lease_does_not_block(app, jira, mitigation, clock, how):
    link_tickets(jira, mitigation, "OPS-1")
    if how == "expired at once":
        assert lock.acquire("someone-else", -1)
    else:
        assert lock.acquire("someone-else", 600)
        clock.advance(seconds=601)

    run = sync(app)

    assert run.status == "succeeded"
    assert db.session.get(SyncLock, "jira").holder is None


def test_a_crashed_sync_releases_the_lease_and_is_recorded_failed(
    app, jira, mitigation, monkeypatch
):
    link_tickets(jira, mitigation, "OPS-1")

    def crash(settings, report=None):
        raise RuntimeError("bug")

    with monkeypatch.context() as patch:
        patch.setattr("tracker.jira.sync.connect", crash)
        with pytest.raises(RuntimeError):
            sync(app)

    crashed = db.session.scalars(sa.select(SyncRun)).one()
    assert (crashed.status, crashed.error) == ("failed", "The sync crashed: RuntimeError.")
    assert crashed.finished_at is not None
    assert sync(app).status == "succeeded"


def test_acquire_gives_the_lease_to_exactly_one_of_two_holders(app):
    results = []
    for holder in ("cron-host:1", "web-host:2"):
        with app.app_context():  # its own session, as another process would have
            results.append(lock.acquire(holder, 600))

    assert sorted(results) == [False, True]
    assert db.session.get(SyncLock, "jira").holder == "cron-host:1"


# Incremental and full runs ---------------------------------------------------------------------


def searched_jql(jira) -> list[str]:
    return [r.param("jql") for r in jira.search_requests()]


def test_an_incremental_run_asks_synced_tickets_only_for_recent_updates(
    app, jira, mitigation, clock
):
    link_tickets(jira, mitigation, "OPS-1")
    assert sync(app).status == "succeeded"
    clock.advance(minutes=30)
    link_tickets(jira, mitigation, "OPS-2")
    jira.clear_requests()

    run = sync(app, full=False)

    assert run.status == "succeeded"
    searched = searched_jql(jira)
    assert sorted(jql for jql in searched if jql.startswith("key in")) == [
        "key in (OPS-1) AND updated >= -40m ORDER BY key",
        "key in (OPS-2) ORDER BY key",
    ]
    # An epic's progress moves with its children, not itself: all linked tickets are asked.
    assert next(jql for jql in searched if "parent in" in jql).endswith(
        "parent in (OPS-1, OPS-2) ORDER BY key"
    )


def test_a_full_run_sends_no_updated_clause(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", "OPS-2")
    assert sync(app).status == "succeeded"
    jira.clear_requests()

    sync(app, full=True)

    jql = searched_jql(jira)
    assert jql and not any("updated" in query for query in jql)


def test_an_incremental_run_does_not_break_a_ticket_that_was_not_updated(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", updated="2026-03-01T00:00:00.000+0000")
    assert sync(app).status == "succeeded"
    synced_at = ticket("OPS-1").synced_at
    jira.clear_requests()

    run = sync(app, full=False)

    assert run.status == "succeeded" and run.links_broken == 0
    assert "updated >=" in searched_jql(jira)[0]
    assert not ticket("OPS-1").broken
    assert (ticket("OPS-1").state, ticket("OPS-1").synced_at) == ("planned", synced_at)


# A run whose process died --------------------------------------------------------------------


@pytest.fixture
def killed_run(app, clock):
    """A run that took the lease and was killed mid-way: still "running", never released."""
    assert lock.acquire("killed-process", 600)
    run = SyncRun(started_at=clock(), status="running", trigger="cli")
    db.session.add(run)
    db.session.commit()
    return run


def test_a_killed_run_is_running_while_its_lease_lasts(app, killed_run, admin_client, clock):
    clock.advance(seconds=599)
    assert admin_client.get("/jira/syncs").status_code == 200
    db.session.expire_all()
    assert killed_run.status == "running"


def test_a_killed_run_shows_as_abandoned_once_its_lease_expires(
    app, killed_run, admin_client, clock
):
    clock.advance(seconds=601)
    page = admin_client.get("/jira/syncs").get_data(as_text=True)
    db.session.expire_all()
    assert (killed_run.status, killed_run.error) == ("abandoned", lock.ABANDONED)
    assert "abandoned" in page


def test_the_next_run_marks_a_killed_run_abandoned(app, jira, mitigation, killed_run, clock):
    link_tickets(jira, mitigation, "OPS-1")
    clock.advance(seconds=601)

    assert sync(app).status == "succeeded"

    db.session.expire_all()
    assert killed_run.status == "abandoned"
