"""An unreachable Jira fails at once with one line saying why, the same for `jira check`,
`jira sync` and Sync now; a busy one is retried within the budget, each retry announced."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from tests.test_jira_cli_and_pages import threads  # noqa: F401  (fixture)
from tracker.extensions import db
from tracker.jira import links
from tracker.models import SyncRun

SERVER_INFO = "/rest/api/2/serverInfo"
SEARCH = "/rest/api/2/search"


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def refused(app, jira):
    """Jira configured at a port that refuses connections."""
    app.config["JIRA_URL"] = f"http://127.0.0.1:{free_port()}"
    return app.config["JIRA_URL"]


@pytest.fixture
def unresolvable(app, jira, monkeypatch):
    """Jira configured at a host name the resolver does not know (without asking any DNS)."""
    app.config["JIRA_URL"] = "http://jira.example.invalid"
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "jira.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return app.config["JIRA_URL"]


def error_line(result) -> str:
    """The command's one error line (`jira sync` prints its run's summary before it)."""
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    return line


def sync_now_error(admin_client, threads) -> str:  # noqa: F811
    admin_client.post("/jira/syncs")
    threads[0].run()
    db.session.expire_all()
    return db.session.scalars(sa.select(SyncRun).where(SyncRun.trigger == "web")).one().error


@pytest.mark.jira_deployment("DataCenter")
@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("refused", "the connection was refused or the network is unreachable"),
        ("unresolvable", "its host name does not resolve"),
    ],
)
def test_an_unreachable_jira_fails_at_once_with_the_same_line_everywhere(
    request,
    runner,
    admin_client,
    risk_with_link,
    retry_sleeps,
    threads,  # noqa: F811  (the fixture imported above)
    where,
    reason,
):
    url = request.getfixturevalue(where)
    expected = f"Jira at {url} cannot be reached ({reason})."

    assert error_line(runner.invoke(args=["jira", "check"])) == f"Error: {expected}"
    assert error_line(runner.invoke(args=["jira", "sync"])) == f"Error: {expected}"
    assert sync_now_error(admin_client, threads) == expected
    assert retry_sleeps == [], "nothing waits for an address that does not answer"


@pytest.fixture
def risk_with_link(factory, jira):
    risk = factory.risk(team=factory.team("sre", "SRE"))
    jira.add_ticket("OPS-1")
    links.add_link(risk, "OPS-1", None)
    return risk


@pytest.mark.jira_deployment("DataCenter")
def test_check_announces_each_retry_of_a_busy_jira_then_answers(jira, runner, retry_sleeps):
    jira.fail(SERVER_INFO, 503, times=2, headers={"Retry-After": "1"})

    result = runner.invoke(args=["jira", "check"])

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Jira answered HTTP 503; retry 1 of 3…",
        "Jira answered HTTP 503; retry 2 of 3…",
    ]
    assert len(retry_sleeps) == 2


@pytest.mark.jira_deployment("DataCenter")
def test_sync_announces_each_retry_and_sync_now_shows_it_on_the_run(
    jira,
    runner,
    admin_client,
    risk_with_link,
    retry_sleeps,
    threads,  # noqa: F811
):
    jira.fail(SEARCH, 429, headers={"Retry-After": "1"})
    result = runner.invoke(args=["jira", "sync"])
    assert "Jira answered HTTP 429; retry 1 of 3…" in result.stderr.splitlines()

    jira.fail(SEARCH, 503, headers={"Retry-After": "1"})
    admin_client.post("/jira/syncs")
    threads[0].run()
    db.session.expire_all()
    web_run = db.session.scalars(sa.select(SyncRun).where(SyncRun.trigger == "web")).one()
    assert (web_run.status, web_run.progress) == (
        "succeeded",
        "Jira answered HTTP 503; retry 1 of 3…",
    )
