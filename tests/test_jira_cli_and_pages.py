"""`flask jira …` and the Jira pages: links on the risk page, drift, sync runs, Sync now, and
creating a ticket at most once per click."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import new_mitigation
from tests.jira_server import DEFAULT_TOKEN
from tracker.extensions import db
from tracker.jira import links, lock
from tracker.jira.client import JiraConnection
from tracker.jira.create import ticket_description
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.models import DriftFlag, JiraLink, JiraTicket, SyncRun

ISSUE = "/rest/api/2/issue"


@pytest.fixture
def team(factory):
    return factory.team("sre", "SRE")


@pytest.fixture
def risk(factory, team):
    return factory.risk(team=team, title="Primary database in one zone")


@pytest.fixture
def mitigation(risk, clock):
    return new_mitigation(risk, clock)


def sync(app, **kwargs) -> SyncRun:
    return run_sync(JiraSettings.from_config(app.config), full=True, **kwargs)


def ticket(key: str) -> JiraTicket | None:
    return db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == key))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def lines(result) -> list[str]:
    return result.output.strip().splitlines()


# flask jira check ------------------------------------------------------------------------------


def test_check_prints_the_server_the_deployment_and_the_account(jira, runner):
    result = runner.invoke(args=["jira", "check"])

    assert result.exit_code == 0, result.output
    deployment = "Cloud" if jira.is_cloud else "Server"
    assert f"Server:     {jira.url}" in result.output
    assert f"({deployment})" in result.output
    assert "Account:    Tracker Bot <tracker-bot@example.com>" in result.output


def test_check_exits_1_with_the_401_message_on_bad_credentials(app, jira, runner):
    app.config["JIRA_TOKEN"] = "wrong-token-8d2e"

    result = runner.invoke(args=["jira", "check"])

    assert result.exit_code == 1
    assert lines(result) == [
        "Error: Jira refused the credentials (HTTP 401): check JIRA_USER and JIRA_TOKEN, "
        "or JIRA_PAT."
    ]


def test_check_exits_1_when_jira_is_not_configured(app, runner):
    app.config["JIRA_URL"] = None

    result = runner.invoke(args=["jira", "check"])

    assert result.exit_code == 1
    assert lines(result) == ["Error: Jira is not configured: set JIRA_URL."]


# flask jira sync -------------------------------------------------------------------------------


def test_sync_exits_0_with_a_summary_line(jira, runner, mitigation):
    jira.add_ticket("OPS-1", status_name="In Progress", status_category="indeterminate")
    links.add_link(mitigation, "OPS-1", None)

    result = runner.invoke(args=["jira", "sync"])

    assert result.exit_code == 0, result.output
    assert lines(result)[0].startswith("Sync succeeded: 1 of 1 ticket read, 1 changed, ")
    assert ticket("OPS-1").state == "in_progress"


def test_sync_exits_0_when_links_are_broken(jira, runner, mitigation):
    jira.add_ticket("OPS-1")
    links.add_link(mitigation, "OPS-1", None)
    jira.delete_ticket("OPS-1")

    result = runner.invoke(args=["jira", "sync"])

    assert result.exit_code == 0, result.output
    assert "1 broken" in lines(result)[0]
    assert ticket("OPS-1").broken


def test_sync_exits_1_when_the_run_fails(jira, runner, mitigation):
    links.add_link(mitigation, "OPS-1", None)
    jira.forbidden = True

    result = runner.invoke(args=["jira", "sync"])

    assert result.exit_code == 1
    assert lines(result)[0].startswith("Sync failed:")
    assert "Error: Jira refused access (HTTP 403)" in result.output


def test_sync_dry_run_writes_nothing(jira, runner, mitigation):
    jira.add_ticket("OPS-1", status_name="Done", status_category="done", resolution="Done")
    links.add_link(mitigation, "OPS-1", None)

    result = runner.invoke(args=["jira", "sync", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "1 would change, 1 mitigation would move," in result.output
    assert " moved" not in result.output
    assert ticket("OPS-1").synced_at is None
    assert mitigation.status == "planned"


# flask jira link / unlink ----------------------------------------------------------------------


def test_link_links_a_ticket_to_a_risk(runner, risk):
    result = runner.invoke(args=["jira", "link", "ops-1", "--risk", risk.key])

    assert result.exit_code == 0, result.output
    assert lines(result) == ["Linked OPS-1; the next sync reads its state."]
    assert [lk.ticket.key for lk in links.links_of(risk)] == ["OPS-1"]


def test_link_links_a_ticket_to_a_mitigation(runner, mitigation):
    result = runner.invoke(args=["jira", "link", "OPS-2", "--mitigation", str(mitigation.id)])

    assert result.exit_code == 0, result.output
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-2"]


def test_unlink_removes_the_link(runner, risk, mitigation):
    links.add_link(risk, "OPS-1", None)
    links.add_link(mitigation, "OPS-1", None)

    result = runner.invoke(args=["jira", "unlink", "ops-1", "--mitigation", str(mitigation.id)])

    assert result.exit_code == 0, result.output
    assert lines(result) == ["Unlinked OPS-1."]
    assert links.links_of(mitigation) == []
    assert [lk.ticket.key for lk in links.links_of(risk)] == ["OPS-1"]


def test_link_refuses_a_bad_key_with_one_line(runner, risk):
    result = runner.invoke(args=["jira", "link", "OPS 1", "--risk", risk.key])

    assert result.exit_code == 1
    assert lines(result) == [
        "Error: A Jira key looks like ABC-123: project key, a hyphen, a number (got 'OPS 1')."
    ]
    assert count(JiraLink) == 0


@pytest.mark.parametrize(
    ("option", "expected"),
    [("--risk", "Error: No risk RISK-99 found."), ("--mitigation", "Error: No mitigation found.")],
)
def test_link_refuses_an_unknown_item_with_one_line(runner, option, expected):
    value = "RISK-99" if option == "--risk" else "999"

    result = runner.invoke(args=["jira", "link", "OPS-1", option, value])

    assert result.exit_code == 1
    assert lines(result) == [expected]


@pytest.mark.parametrize("command", ["link", "unlink"])
@pytest.mark.parametrize("both", [True, False], ids=["both options", "neither option"])
def test_link_and_unlink_need_exactly_one_of_risk_and_mitigation(
    runner, risk, mitigation, command, both
):
    options = ["--risk", risk.key, "--mitigation", str(mitigation.id)] if both else []

    result = runner.invoke(args=["jira", command, "OPS-1", *options])

    assert result.exit_code == 2
    # Click prints its usage lines above a usage error; the error itself is one line.
    assert lines(result)[-1] == "Error: Give exactly one of --risk RISK-n and --mitigation ID."
    assert count(JiraLink) == 0


# The risk page ---------------------------------------------------------------------------------


def test_linking_on_the_risk_page_shows_the_ticket_not_synced_yet(admin_client, risk):
    response = admin_client.post(f"/risks/{risk.key}/jira-links", data={"key": "ops-7"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/risks/{risk.key}#jira"
    page = admin_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert "OPS-7" in page and "not synced yet" in page


def test_after_a_sync_the_risk_page_shows_the_tickets_fields(app, jira, admin_client, risk):
    jira.add_ticket(
        "OPS-7",
        summary="Add a replica in eu-west-1b",
        status_name="In Review",
        status_category="indeterminate",
        assignee="Ana Ops",
        duedate="2026-04-01",
        fix_versions=["2026.3", "2026.4"],
    )
    links.add_link(risk, "OPS-7", None)
    sync(app)

    page = admin_client.get(f"/risks/{risk.key}").get_data(as_text=True)

    for text in ("Add a replica in eu-west-1b", "In Review", "Ana Ops", "2026-04-01"):
        assert text in page
    assert "2026.3, 2026.4" in page
    assert f'href="{jira.url}/browse/OPS-7"' in page
    assert "not synced yet" not in page


def test_a_viewer_gets_403_from_every_jira_button(jira, viewer_client, risk, mitigation):
    links.add_link(risk, "OPS-1", None)
    links.add_link(mitigation, "OPS-1", None)
    m = mitigation.id
    posts = [
        (f"/risks/{risk.key}/jira-links", {"key": "OPS-2"}),
        (f"/risks/{risk.key}/jira-links/OPS-1/delete", {}),
        (f"/mitigations/{m}/jira-links", {"key": "OPS-2"}),
        (f"/mitigations/{m}/jira-links/OPS-1/delete", {}),
        (f"/mitigations/{m}/follow-jira", {"follow": "0"}),
        (f"/mitigations/{m}/jira-ticket", {"token": TOKEN_1}),
        ("/jira/syncs", {}),
    ]

    codes = {path: viewer_client.post(path, data=data).status_code for path, data in posts}
    codes["GET /jira/syncs"] = viewer_client.get("/jira/syncs").status_code

    assert codes == {path: 403 for path in codes}
    assert count(JiraLink) == 2 and mitigation.follow_jira
    assert jira.requests_to(ISSUE, method="POST") == [] and count(SyncRun) == 0


def test_a_viewer_gets_403_from_create_ticket_even_when_jira_is_not_configured(
    app, viewer_client, mitigation
):
    app.config["JIRA_URL"] = None

    response = viewer_client.post(
        f"/mitigations/{mitigation.id}/jira-ticket", data={"token": TOKEN_1}
    )

    assert response.status_code == 403


# Drift and sync-run pages ----------------------------------------------------------------------


def flag(risk, mitigation, kind: str, key: str | None, clock) -> None:
    db.session.add(
        DriftFlag(
            risk=risk, mitigation=mitigation, kind=kind, ticket_key=key, first_seen=clock.current
        )
    )
    db.session.commit()


def test_the_drift_page_lists_flags_by_kind_and_filters_by_team(
    admin_client, factory, risk, mitigation, clock
):
    factory.team("web", "Web")
    web_mitigation = new_mitigation(risk, clock, team="web", title="Cache warm-up")
    flag(risk, mitigation, "ticket_unassigned", "OPS-1", clock)
    flag(risk, web_mitigation, "ticket_due_later", "WEB-2", clock)

    everything = admin_client.get("/jira/drift").get_data(as_text=True)
    web_only = admin_client.get("/jira/drift?team=web").get_data(as_text=True)

    assert "An open ticket has no assignee" in everything and "OPS-1" in everything
    assert "A ticket is due later than the mitigation" in everything and "WEB-2" in everything
    assert "WEB-2" in web_only and "Cache warm-up" in web_only
    assert "OPS-1" not in web_only and "An open ticket has no assignee" not in web_only


def test_the_sync_pages_are_for_admins_only(manager_client, clock):
    run = SyncRun(started_at=clock.current, status="succeeded")
    db.session.add(run)
    db.session.commit()

    assert manager_client.get("/jira/syncs").status_code == 403
    assert manager_client.get(f"/jira/syncs/{run.id}").status_code == 403
    assert manager_client.post("/jira/syncs").status_code == 403


def test_the_syncs_page_lists_runs_with_status_duration_counts_and_errors(admin_client, clock):
    start = clock.current
    db.session.add_all(
        [
            SyncRun(
                started_at=start,
                finished_at=start + timedelta(seconds=12.5),
                status="partial",
                tickets_total=4,
                tickets_read=3,
                tickets_changed=2,
                links_broken=1,
                problems='["OPS-4…OPS-4: Jira answered HTTP 500."]',
            ),
            SyncRun(
                started_at=start + timedelta(hours=1),
                finished_at=start + timedelta(hours=1, seconds=1),
                status="failed",
                error="Jira refused access (HTTP 403): the account lacks permission.",
            ),
        ]
    )
    db.session.commit()

    page = admin_client.get("/jira/syncs").get_data(as_text=True)

    assert "run-partial" in page and "run-failed" in page
    assert "12.5 s" in page and "1.0 s" in page
    assert '"Read" class="num">3/4<' in page and '"Changed" class="num">2 tickets<' in page
    assert '"Broken" class="num">1<' in page and "some batches not applied" in page
    assert "Jira refused access (HTTP 403)" in page


class DeferredThread:
    """Stands in for threading.Thread in tracker.jira.background: start() runs nothing, so a test
    sees what the request did before the sync, then runs the sync itself."""

    def __init__(self, target, args=(), kwargs=None, daemon=None):
        self.target, self.args, self.kwargs = target, args, kwargs or {}
        self.started = False

    def start(self) -> None:
        self.started = True

    def run(self) -> None:
        self.target(*self.args, **self.kwargs)


@pytest.fixture
def threads(monkeypatch) -> list[DeferredThread]:
    """The threads the routes create, in order."""
    created: list[DeferredThread] = []

    def thread(*args, **kwargs) -> DeferredThread:
        created.append(DeferredThread(*args, **kwargs))
        return created[-1]

    # Only the routes module's view of `threading`: the fake Jira needs real threads.
    monkeypatch.setattr("tracker.jira.background.threading", SimpleNamespace(Thread=thread))
    return created


def test_sync_now_redirects_at_once_to_the_run_page(jira, admin_client, risk, threads):
    links.add_link(risk, "OPS-1", None)
    jira.add_ticket("OPS-1")

    response = admin_client.post("/jira/syncs")

    run = db.session.scalars(sa.select(SyncRun)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jira/syncs/{run.id}"
    assert (run.status, run.trigger) == ("queued", "web")
    assert [thread.started for thread in threads] == [True]
    assert jira.search_requests() == [], "the request does not wait for the sync"


def test_the_run_page_shows_the_outcome_once_the_background_sync_ends(
    jira, admin_client, risk, threads
):
    links.add_link(risk, "OPS-1", None)
    jira.add_ticket("OPS-1")
    location = admin_client.post("/jira/syncs").headers["Location"]
    assert "Working…" in admin_client.get(location).get_data(as_text=True)

    threads[0].run()

    page = admin_client.get(location).get_data(as_text=True)
    assert "run-succeeded" in page and "1 read of 1" in page
    assert "Working…" not in page
    assert ticket("OPS-1").synced_at is not None


def test_a_web_run_is_timed_by_the_apps_clock(jira, admin_client, risk, threads, clock):
    links.add_link(risk, "OPS-1", None)
    jira.add_ticket("OPS-1")
    admin_client.post("/jira/syncs")

    threads[0].run()

    run = db.session.scalars(sa.select(SyncRun)).one()
    assert run.started_at == clock.current and run.duration_seconds == 0


def test_sync_now_while_a_sync_runs_starts_nothing_and_says_so(jira, admin_client, threads):
    assert lock.acquire("cron-host:1", 600)

    response = admin_client.post("/jira/syncs", follow_redirects=True)

    assert "A sync is already running" in response.get_data(as_text=True)
    assert count(SyncRun) == 0 and threads == []


# Creating a ticket -----------------------------------------------------------------------------


# Tokens as the form issues them (tracker.jira.create.new_token).
TOKEN_1, TOKEN_2 = "0123456789abcdef", "fedcba9876543210"


def created_issues(jira) -> list:
    return [r for r in jira.requests if r.method == "POST" and r.path == ISSUE]


def create(client, mitigation, token: str):
    return client.post(
        f"/mitigations/{mitigation.id}/jira-ticket", data={"token": token}, follow_redirects=True
    )


def test_creating_a_ticket_makes_one_labelled_ticket_and_links_it(
    jira, admin_client, risk, mitigation
):
    page = create(admin_client, mitigation, TOKEN_1).get_data(as_text=True)

    assert "Created OPS-1 in Jira and linked it." in page
    assert list(jira.tickets) == ["OPS-1"]
    created = jira.tickets["OPS-1"]
    assert created.summary == "Replica in a second zone"
    assert sorted(created.labels) == sorted([risk.key, f"risktracker-{TOKEN_1}"])
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1"]


def test_posting_the_same_token_again_creates_no_second_ticket(jira, admin_client, mitigation):
    create(admin_client, mitigation, TOKEN_1)

    page = create(admin_client, mitigation, TOKEN_1).get_data(as_text=True)

    assert len(created_issues(jira)) == 1
    assert "OPS-1 is linked." in page
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1"]


def test_a_second_click_while_the_first_is_still_creating_creates_nothing(
    jira, admin_client, mitigation, monkeypatch
):
    real_create = JiraConnection.create_issue
    second_click = []

    def create_after_a_second_click(connection, *args, **kwargs):
        # The second request arrives after the first claimed the token, before Jira has
        # the ticket.
        second_click.append(create(admin_client, mitigation, TOKEN_1).get_data(as_text=True))
        return real_create(connection, *args, **kwargs)

    monkeypatch.setattr(JiraConnection, "create_issue", create_after_a_second_click)

    create(admin_client, mitigation, TOKEN_1)

    assert len(second_click) == 1
    assert "This ticket is already being created" in second_click[0]
    assert len(created_issues(jira)) == 1
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1"]


def test_a_new_token_creates_a_new_ticket(jira, admin_client, mitigation):
    create(admin_client, mitigation, TOKEN_1)

    create(admin_client, mitigation, TOKEN_2)

    assert len(created_issues(jira)) == 2
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1", "OPS-2"]


def test_the_ticket_links_back_to_the_risk_under_public_url_whatever_the_host_header(
    app, risk, mitigation
):
    app.config["PUBLIC_URL"] = "https://risks.example.com/tracker"

    with app.test_request_context(base_url="http://evil.example.net"):
        description = ticket_description(mitigation)

    assert f"https://risks.example.com/tracker/risks/{risk.key}" in description
    assert "evil.example.net" not in description


def test_without_public_url_the_ticket_carries_no_link(jira, admin_client, risk, mitigation):
    create(admin_client, mitigation, TOKEN_1)

    description = jira.tickets["OPS-1"].description
    assert f"Mitigates {risk.key}" in description and "http" not in description


def test_the_search_for_the_clicks_ticket_quotes_the_project_and_the_label(
    jira, admin_client, mitigation
):
    create(admin_client, mitigation, TOKEN_1)

    searched = [request.param("jql") for request in jira.search_requests()]
    assert searched == [f'project = "OPS" AND labels = "risktracker-{TOKEN_1}" ORDER BY key']


@pytest.mark.parametrize(
    "token",
    ["x OR project = SECRET", "0123456789abcdeF", "0123456789abcde", '0123456789abcdef"', ""],
)
def test_a_token_the_form_did_not_issue_is_refused_before_jira_is_asked(
    jira, admin_client, mitigation, token
):
    page = create(admin_client, mitigation, token).get_data(as_text=True)

    assert "one-time token is missing or not one this page issued" in page
    assert jira.search_requests() == [] and created_issues(jira) == []
    assert count(JiraLink) == 0
    assert db.session.get(type(mitigation), mitigation.id).jira_create_token is None


def test_a_search_hit_without_the_clicks_label_is_not_linked(
    jira, admin_client, mitigation, monkeypatch
):
    # A search answered loosely (a proxy, a Jira plugin rewriting JQL) returns another ticket
    # first: it must not be linked as the click's ticket.
    jira.add_ticket("SECRET-7", labels=["unrelated"])
    real_search = JiraConnection.search

    def loose_search(connection, jql, fields=None):
        foreign = real_search(connection, "key in (SECRET-7)", fields)
        return foreign + real_search(connection, jql, fields)

    monkeypatch.setattr(JiraConnection, "search", loose_search)

    page = create(admin_client, mitigation, TOKEN_1).get_data(as_text=True)

    assert "Created OPS-1 in Jira and linked it." in page
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1"]


def test_on_a_second_click_only_the_ticket_carrying_the_label_is_linked(
    jira, admin_client, mitigation, monkeypatch
):
    create(admin_client, mitigation, TOKEN_1)
    jira.add_ticket("SECRET-7", labels=["unrelated"])
    real_search = JiraConnection.search
    monkeypatch.setattr(
        JiraConnection,
        "search",
        lambda connection, jql, fields=None: (
            real_search(connection, "key in (SECRET-7)", fields)
            + real_search(connection, jql, fields)
        ),
    )

    page = create(admin_client, mitigation, TOKEN_1).get_data(as_text=True)

    assert "OPS-1 is linked." in page
    assert len(created_issues(jira)) == 1
    assert [lk.ticket.key for lk in links.links_of(mitigation)] == ["OPS-1"]


def test_without_jira_project_no_ticket_is_created(app, jira, admin_client, mitigation):
    app.config["JIRA_PROJECT"] = None

    page = create(admin_client, mitigation, TOKEN_1).get_data(as_text=True)

    assert "No ticket was created: Set JIRA_PROJECT to create tickets." in page
    assert created_issues(jira) == [] and jira.tickets == {}
    assert count(JiraLink) == 0


# Secrets ---------------------------------------------------------------------------------------


def test_the_jira_token_appears_on_no_page_and_in_no_cli_output(
    app, jira, admin_client, runner, risk, mitigation
):
    jira.add_ticket("OPS-1")
    links.add_link(risk, "OPS-1", None)
    links.add_link(mitigation, "OPS-1", None)
    outputs = [runner.invoke(args=["jira", "check"]).output]
    outputs.append(runner.invoke(args=["jira", "sync"]).output)
    jira.forbidden = True
    outputs.append(runner.invoke(args=["jira", "sync", "--full"]).output)
    run_ids = db.session.scalars(sa.select(SyncRun.id)).all()
    pages = [
        "/jira/syncs",
        *(f"/jira/syncs/{run_id}" for run_id in run_ids),
        f"/risks/{risk.key}",
        f"/mitigations/{mitigation.id}",
        "/jira/drift",
    ]

    for path in pages:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        outputs.append(response.get_data(as_text=True))

    assert len(run_ids) == 2
    assert not [text for text in outputs if DEFAULT_TOKEN in text]
