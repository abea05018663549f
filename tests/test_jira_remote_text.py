"""What Jira sends is stored whatever its size or characters, and one ticket the database
refuses spoils only itself: the run is partial, naming it, and every other ticket is synced."""

from __future__ import annotations

import json

import pytest

from tests.helpers import new_mitigation
from tests.test_jira_faults import link_tickets, sync, ticket
from tracker.jira import batches
from tracker.models import JiraTicket
from tracker.models.fitting import fit

LONG = {"assignee": "A" * 250, "status_name": "S" * 150, "resolution": "R" * 150}


@pytest.fixture
def mitigation(factory, clock):
    risk = factory.risk(team=factory.team("sre", "SRE"), title="Primary database in one zone")
    return new_mitigation(risk, clock)


def test_fit_cuts_long_text_to_the_column_with_an_ellipsis():
    assert fit(JiraTicket.assignee, "A" * 250) == "A" * 199 + "…"
    assert fit(JiraTicket.assignee, "A" * 200) == "A" * 200
    assert fit(JiraTicket.assignee, None) is None
    assert fit(JiraTicket.fix_versions, "v" * 10_000) == "v" * 10_000  # Text: unbounded


def test_fit_replaces_what_no_database_stores():
    assert fit(JiraTicket.summary, "a\x00b\ud800c") == "a\ufffdb\ufffdc"


def test_over_long_fields_are_cut_to_their_columns_and_the_run_succeeds(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", summary="S" * 600, **LONG)

    run = sync(app)

    assert run.status == "succeeded", run.problems
    stored = ticket("OPS-1")
    lengths = [
        len(stored.summary),
        len(stored.assignee),
        len(stored.status),
        len(stored.resolution),
    ]
    assert lengths == [500, 200, 120, 120]
    assert all(text.endswith("…") for text in (stored.summary, stored.assignee, stored.status))


def test_nul_and_lone_surrogates_from_jira_are_stored_replaced(app, jira, mitigation):
    link_tickets(jira, mitigation, "OPS-1", summary="Disk\x00 alerts \ud83d", assignee="Ana\x00")

    run = sync(app)

    assert run.status == "succeeded", run.problems
    assert (ticket("OPS-1").summary, ticket("OPS-1").assignee) == (
        "Disk\ufffd alerts \ufffd",
        "Ana\ufffd",
    )


def test_a_ticket_the_database_refuses_spoils_only_itself(app, jira, mitigation, monkeypatch):
    app.config["JIRA_BATCH_SIZE"] = 2
    link_tickets(jira, mitigation, "OPS-1", "OPS-3", "OPS-4", assignee="Ana Ops")
    link_tickets(jira, mitigation, "OPS-2", summary="Broken \ud800 summary")
    # Without fitting, the lone surrogate reaches the database driver, which cannot encode it.
    monkeypatch.setattr(batches, "fit", lambda column, text: text)

    run = sync(app)

    assert run.status == "partial"
    [problem] = json.loads(run.problems)
    assert problem.startswith("OPS-2: not saved")
    assert ticket("OPS-2").synced_at is None
    assert [ticket(key).assignee for key in ("OPS-1", "OPS-3", "OPS-4")] == ["Ana Ops"] * 3
