"""The Jira pages at any size. Drift: a group per kind headed by its count, the first rows of
each, one kind paged on demand, the team filter kept, bad paging input answered. The sync
history and a run's messages: paged."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries, record_incident
from tests.test_mitigations import insert_open_mitigations
from tracker.extensions import db
from tracker.jira import drift_groups, routes
from tracker.models import DriftFlag, Mitigation, Risk, SyncRun, Team

SEEN = datetime(2026, 1, 5, tzinfo=UTC)
DUE_LATER = "ticket_due_later"
UNASSIGNED = "ticket_unassigned"


@pytest.fixture
def sre(factory) -> Team:
    return factory.team("sre", "SRE")


@pytest.fixture
def web(factory) -> Team:
    return factory.team("web", "Web")


def raise_flags(count: int, team: Team, kinds=(DUE_LATER, UNASSIGNED)) -> None:
    """`count` new mitigations of `team`, each on a risk of its own, each with one flag: kinds
    in turn, first seen a day apart, ticket keys numbered in that order from the team's
    existing flags on."""
    before = db.session.scalar(sa.select(sa.func.max(Mitigation.id))) or 0
    insert_open_mitigations(count, team)
    rows = db.session.execute(
        sa.select(Mitigation.id, Mitigation.risk_id)
        .where(Mitigation.id > before)
        .order_by(Mitigation.id)
    ).all()
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(DriftFlag)) or 0
    db.session.execute(
        sa.insert(DriftFlag),
        [
            {
                "risk_id": row.risk_id,
                "mitigation_id": row.id,
                "kind": kinds[n % len(kinds)],
                "ticket_key": f"{team.slug.upper()}-{existing + n + 1}",
                "detail": "",
                "first_seen": SEEN + timedelta(days=existing + n),
            }
            for n, row in enumerate(rows)
        ],
    )
    db.session.commit()


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def tickets(page: str) -> list[str]:
    """The ticket keys of the flag rows shown, in order."""
    return re.findall(r'data-label="Ticket">(?:<a [^>]*>)?([A-Z]+-\d+)', page)


def heading_count(page: str, group: str) -> str:
    title = drift_groups.TITLES[group]
    match = re.search(rf"<h2>{re.escape(title)} <span class=\"muted\">\(([^)]*)\)", page)
    assert match, f"no heading for {group}"
    return match.group(1)


def test_each_kind_is_headed_by_its_count_and_shows_its_first_rows(viewer_client, sre):
    raise_flags(60, sre)
    page = page_of(viewer_client, "/jira/drift")
    assert heading_count(page, DUE_LATER) == "30 flags"
    assert heading_count(page, UNASSIGNED) == "30 flags"
    assert len(tickets(page)) == 2 * drift_groups.PREVIEW_ROWS
    assert "Show all 30 (5 more)" in page
    assert 'href="/jira/drift?kind=ticket_due_later"' in page


def test_the_counts_follow_the_team_filter(viewer_client, sre, web):
    raise_flags(6, sre)
    raise_flags(3, web, kinds=(UNASSIGNED,))
    everything = page_of(viewer_client, "/jira/drift")
    web_only = page_of(viewer_client, "/jira/drift?team=web")
    assert heading_count(everything, UNASSIGNED) == "6 flags"
    assert heading_count(everything, DUE_LATER) == "3 flags"
    assert heading_count(web_only, UNASSIGNED) == "3 flags"
    assert drift_groups.TITLES[DUE_LATER] not in web_only


def test_flags_on_archived_risks_are_neither_counted_nor_shown(viewer_client, sre, web):
    raise_flags(4, sre, kinds=(DUE_LATER,))
    raise_flags(2, web, kinds=(DUE_LATER,))
    # A flag on each web risk's own links (no mitigation) counts for web; the first web
    # risk (WEB-5 and its own flag) and the risk of SRE-1 are archived.
    web_risks = db.session.scalars(
        sa.select(Risk).where(Risk.team_id == web.id).order_by(Risk.id)
    ).all()
    db.session.execute(
        sa.insert(DriftFlag),
        [
            {
                "risk_id": risk.id,
                "mitigation_id": None,
                "kind": UNASSIGNED,
                "ticket_key": f"OWN-{risk.id}",
                "detail": "",
                "first_seen": SEEN,
            }
            for risk in web_risks
        ],
    )
    first_sre = db.session.scalar(
        sa.select(DriftFlag.risk_id).where(DriftFlag.ticket_key == "SRE-1")
    )
    archived = [first_sre, web_risks[0].id]
    db.session.execute(sa.update(Risk).where(Risk.id.in_(archived)).values(archived_at=SEEN))
    db.session.commit()

    everything = page_of(viewer_client, "/jira/drift")
    assert heading_count(everything, DUE_LATER) == "4 flags"
    assert heading_count(everything, UNASSIGNED) == "1 flag"
    assert "SRE-1" not in tickets(everything)
    assert f"OWN-{web_risks[0].id}" not in tickets(everything)
    web_only = page_of(viewer_client, "/jira/drift?team=web")
    assert heading_count(web_only, DUE_LATER) == "1 flag"
    assert heading_count(web_only, UNASSIGNED) == "1 flag"
    assert tickets(web_only) == ["WEB-6", f"OWN-{web_risks[1].id}"]
    one_kind = page_of(viewer_client, f"/jira/drift?kind={DUE_LATER}")
    assert tickets(one_kind) == ["SRE-2", "SRE-3", "SRE-4", "WEB-6"]


def test_the_page_costs_the_same_queries_for_5_and_60_flags(viewer_client, sre):
    raise_flags(5, sre)
    page_of(viewer_client, "/jira/drift")  # warm: the first request loads extra state
    with counting_queries() as few:
        page = page_of(viewer_client, "/jira/drift")
    assert len(tickets(page)) == 5
    raise_flags(55, sre)
    with counting_queries() as many:
        page = page_of(viewer_client, "/jira/drift")
    assert len(tickets(page)) == 2 * drift_groups.PREVIEW_ROWS
    assert len(many) == len(few), f"{len(few)} queries for 5 flags, {len(many)} for 60"


def test_a_kind_pages_through_all_its_flags_at_the_same_cost(viewer_client, sre):
    raise_flags(2 * drift_groups.PER_PAGE + 10, sre, kinds=(DUE_LATER,))
    with counting_queries() as first_queries:
        first = page_of(viewer_client, f"/jira/drift?kind={DUE_LATER}")
    with counting_queries() as second_queries:
        second = page_of(viewer_client, f"/jira/drift?kind={DUE_LATER}&page=2")
    per_page = drift_groups.PER_PAGE
    assert tickets(first) == [f"SRE-{n}" for n in range(1, per_page + 1)]
    assert tickets(second) == [f"SRE-{n}" for n in range(per_page + 1, 2 * per_page + 1)]
    assert f"{per_page + 1}–{2 * per_page} of {2 * per_page + 10}" in second
    assert 'href="/jira/drift?kind=ticket_due_later" rel="prev"' in second
    assert 'href="/jira/drift?kind=ticket_due_later&amp;page=3" rel="next"' in second
    assert len(second_queries) == len(first_queries)


@pytest.mark.parametrize("asked", ["abc", "-1", "0", "1.5", "", "999999999", "9" * 40])
def test_a_bad_page_number_gives_a_page_of_the_kind_keeping_the_team(viewer_client, sre, asked):
    raise_flags(60, sre, kinds=(DUE_LATER,))
    page = page_of(viewer_client, f"/jira/drift?team=sre&kind={DUE_LATER}&page={asked}")
    shown = tickets(page)
    last = [f"SRE-{n}" for n in range(drift_groups.PER_PAGE + 1, 61)]
    first = [f"SRE-{n}" for n in range(1, drift_groups.PER_PAGE + 1)]
    assert shown == (last if asked.startswith("9") else first)
    assert '<option value="sre" selected>' in page
    assert f'<input type="hidden" name="kind" value="{DUE_LATER}">' in page


def test_an_unknown_kind_says_so_and_shows_every_kind_for_the_team(viewer_client, sre, web):
    raise_flags(4, sre)
    raise_flags(2, web)
    page = page_of(viewer_client, "/jira/drift?team=web&kind=nonsense")
    assert "There is no kind of drift named “nonsense”" in page
    assert heading_count(page, DUE_LATER) == "1 flag"
    assert heading_count(page, UNASSIGNED) == "1 flag"
    assert '<option value="web" selected>' in page


def drifting_incident(team: Team, number: int) -> None:
    incident = record_incident(
        team, SEEN + timedelta(hours=number), timedelta(hours=1), 10, title=f"Outage {number}"
    )
    incident.jira_key = f"INC-{number}"
    incident.jira_values = json.dumps({"title": f"Jira title {number}"})
    incident.jira_drift = "title"
    db.session.commit()


def test_incidents_that_disagree_with_jira_are_a_group_paged_like_the_others(viewer_client, sre):
    for number in range(1, drift_groups.PREVIEW_ROWS + 3):
        drifting_incident(sre, number)
    overview = page_of(viewer_client, "/jira/drift")
    group = page_of(viewer_client, "/jira/drift?kind=incidents&page=2")
    total = drift_groups.PREVIEW_ROWS + 2
    assert heading_count(overview, "incidents") == f"{total} incidents"
    assert overview.count('data-label="Incident"') == drift_groups.PREVIEW_ROWS
    assert f"Show all {total} (2 more)" in overview
    # One page holds them all: page 2 is clamped to it, latest first.
    assert group.count('data-label="Incident"') == total
    assert group.index("INC-27") < group.index("INC-1<")
    assert "Jira title 27" in group


# Sync history ---------------------------------------------------------------------------------


def add_runs(count: int, problems: int = 0) -> None:
    """`count` finished runs an hour apart, each with `problems` messages."""
    db.session.execute(
        sa.insert(SyncRun),
        [
            {
                "started_at": SEEN + timedelta(hours=n),
                "finished_at": SEEN + timedelta(hours=n, seconds=5),
                "status": "partial" if problems else "succeeded",
                "trigger": "cli",
                "problems": json.dumps(
                    [f"OPS-{n}.{p}: Jira answered 500." for p in range(problems)]
                ),
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def all_run_ids() -> list[int]:
    """Every run's id, newest (highest) first."""
    return sorted(db.session.scalars(sa.select(SyncRun.id)), reverse=True)


def run_ids(page: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'<td data-label="Run"><a href="/jira/syncs/\d+">#(\d+)<', page)
    ]


def test_the_sync_history_is_paged_newest_first_at_the_same_cost(admin_client):
    add_runs(3)
    page_of(admin_client, "/jira/syncs")
    with counting_queries() as few:
        page_of(admin_client, "/jira/syncs")
    add_runs(routes.RUNS_PER_PAGE + 7)
    with counting_queries() as many:
        first = page_of(admin_client, "/jira/syncs")
    second = page_of(admin_client, "/jira/syncs?page=2")
    total = routes.RUNS_PER_PAGE + 10
    newest_first = all_run_ids()
    assert run_ids(first) == newest_first[: routes.RUNS_PER_PAGE]
    assert run_ids(second) == newest_first[routes.RUNS_PER_PAGE :]
    assert f"{routes.RUNS_PER_PAGE + 1}–{total} of {total}" in second
    assert len(many) == len(few)


@pytest.mark.parametrize("asked", ["abc", "-3", "999999999999"])
def test_a_bad_page_of_the_sync_history_gives_a_page_of_runs(admin_client, asked):
    add_runs(routes.RUNS_PER_PAGE + 1)
    shown = run_ids(page_of(admin_client, f"/jira/syncs?page={asked}"))
    newest_first = all_run_ids()
    expected = newest_first[-1:] if asked.startswith("9") else newest_first[: routes.RUNS_PER_PAGE]
    assert shown == expected


def test_a_runs_messages_are_paged(admin_client):
    add_runs(1, problems=routes.PROBLEMS_PER_PAGE + 3)
    [run_id] = db.session.scalars(sa.select(SyncRun.id)).all()
    first = page_of(admin_client, f"/jira/syncs/{run_id}")
    last = page_of(admin_client, f"/jira/syncs/{run_id}?page=2")
    assert first.count("<li>OPS-0.") == routes.PROBLEMS_PER_PAGE
    assert "<li>OPS-0.0: " in first and f"<li>OPS-0.{routes.PROBLEMS_PER_PAGE}: " not in first
    assert last.count("<li>OPS-0.") == 3 and f"<li>OPS-0.{routes.PROBLEMS_PER_PAGE + 2}: " in last
    assert f'Batches not applied <span class="muted">({routes.PROBLEMS_PER_PAGE + 3})' in first
