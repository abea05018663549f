"""The roadmap pages over a long register: every item on exactly one page, in order, a page's
queries the same however much there is, and a change to the register seen at once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.helpers import counting_queries
from tests.test_roadmap import TODAY, work
from tracker.extensions import db
from tracker.roadmap import exports, queries, routes

PER_PAGE = 3


@pytest.fixture
def short_pages(monkeypatch):
    """Pages of PER_PAGE rows, so a few rows make several pages."""
    monkeypatch.setattr(routes, "WORK_PER_PAGE", PER_PAGE)
    monkeypatch.setattr(routes, "PLANNING_PER_PAGE", PER_PAGE)


@pytest.fixture
def backlog(factory):
    """Open work of three teams (named out of id order), plus work no page shows: done,
    cancelled, and open work of an archived risk. Returns the open work of live risks."""
    zeta, alpha = factory.team("zeta", "Zeta"), factory.team("alpha", "Alpha")
    mid = factory.team("mid", "Mid")
    first, second = factory.risk(zeta, title="Zeta risk"), factory.risk(alpha, title="Alpha risk")
    shown = []
    for n, (risk, team) in enumerate(
        [(first, zeta), (second, alpha), (first, mid), (second, zeta), (first, alpha)] * 2
    ):
        status = ("planned", "in_progress", "blocked")[n % 3]
        due = TODAY + timedelta(days=(7 * n) % 11 - 5)
        shown.append(work(risk, team, f"Step {n}", due_date=due, status=status))
    work(first, zeta, "Finished", status="done")
    work(second, alpha, "Dropped", status="cancelled")
    archived = factory.risk(mid, title="Gone")
    work(archived, mid, "Of an archived risk")
    archived.archived_at = datetime(2026, 2, 1, tzinfo=UTC)
    db.session.commit()
    return shown


def every_page(group: str, team_id: int | None = None) -> list[int]:
    first = queries.open_work_page(team_id, group, 1, PER_PAGE)
    ids = [m.id for m in first.items]
    for page in range(2, first.pages + 1):
        ids += [m.id for m in queries.open_work_page(team_id, group, page, PER_PAGE).items]
    return ids


def test_every_open_item_is_on_one_page_by_team_in_team_name_then_due_order(app, backlog):
    expected = sorted(backlog, key=lambda m: (m.team.name, m.due_date, m.id))

    assert every_page("team") == [m.id for m in expected]
    assert queries.open_work_page(None, "team", 1, PER_PAGE).total == len(backlog)


def test_every_open_item_is_on_one_page_by_risk_in_risk_number_then_due_order(app, backlog):
    expected = sorted(backlog, key=lambda m: (m.risk.number, m.due_date, m.id))

    assert every_page("risk") == [m.id for m in expected]


def test_one_teams_pages_hold_all_its_open_work_and_nothing_else(app, backlog):
    zeta = next(m.team for m in backlog if m.team.slug == "zeta")
    expected = sorted(
        (m for m in backlog if m.team_id == zeta.id), key=lambda m: (m.due_date, m.id)
    )

    assert every_page("team", zeta.id) == [m.id for m in expected]
    assert sorted(every_page("risk", zeta.id)) == sorted(m.id for m in expected)


def test_the_timeline_page_two_a_bad_page_and_a_page_past_the_end(
    admin_client, backlog, short_pages
):
    total = len(backlog)
    last = -(-total // PER_PAGE)

    second = admin_client.get("/roadmap?page=2").get_data(as_text=True)
    bad = admin_client.get("/roadmap?page=abc").get_data(as_text=True)
    past = admin_client.get("/roadmap?page=999999999999").get_data(as_text=True)

    assert f"4–6 of {total}" in second and 'rel="prev"' in second
    assert f"1–3 of {total}" in bad
    assert f"{(last - 1) * PER_PAGE + 1}–{total} of {total}" in past
    assert 'rel="next"' not in past


def test_a_page_by_team_costs_the_same_queries_whatever_the_teams_and_rows(
    admin_client, factory, short_pages
):
    def queries_for(teams: int, each: int, group: str) -> int:
        for t in range(teams):
            team = factory.team(f"q{teams}-{each}-{t}-{group}", f"Q {teams} {t} {group}")
            risk = factory.risk(team)
            for n in range(each):
                work(risk, team, f"Step {n}", due_date=TODAY + timedelta(days=n - 2))
        with counting_queries() as statements:
            assert admin_client.get(f"/roadmap?group={group}&page=2").status_code == 200
        return len(statements)

    for group in ("team", "risk"):
        # A page spanning three one-row teams, then one inside a long backlog.
        assert queries_for(6, 1, group) == queries_for(4, 12, group), group


def test_the_timeline_sees_new_and_archived_work_at_once(admin_client, factory, backlog):
    before = admin_client.get("/roadmap").get_data(as_text=True)
    risk = backlog[0].risk
    work(risk, backlog[0].team, "Added just now")
    added = admin_client.get("/roadmap").get_data(as_text=True)
    risk.archived_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()
    archived = admin_client.get("/roadmap").get_data(as_text=True)

    assert "Added just now" not in before and "Added just now" in added
    assert "Added just now" not in archived
    assert all(m.title not in archived for m in backlog if m.risk_id == risk.id)
    assert all(m.title in archived for m in backlog if m.risk_id != risk.id)


# Planning


@pytest.fixture
def to_plan(factory):
    """Seven risks with no mitigation (each a planning row), scores 1 to 7 by number."""
    sre = factory.team("sre", "SRE")
    return [factory.risk(sre, title=f"Gap {n}", likelihood=1, impact=n) for n in range(1, 6)] + [
        factory.risk(sre, title=f"Gap {n}", likelihood=n - 4, impact=5) for n in (6, 7)
    ]


def test_every_planning_row_is_on_one_page_in_rank_order(admin_client, to_plan, short_pages):
    seen = []
    for page in (1, 2, 3):
        text = admin_client.get(f"/roadmap/planning?page={page}").get_data(as_text=True)
        shown = [f">{risk.key}</a>" for risk in to_plan if f">{risk.key}</a>" in text]
        seen += sorted(shown, key=text.index)

    by_rank = sorted(to_plan, key=lambda risk: (-risk.score, risk.number))
    assert seen == [f">{risk.key}</a>" for risk in by_rank]


def test_planning_a_bad_page_and_a_page_past_the_end(admin_client, to_plan, short_pages):
    bad = admin_client.get("/roadmap/planning?page=-4").get_data(as_text=True)
    past = admin_client.get("/roadmap/planning?page=40").get_data(as_text=True)

    assert "1–3 of 7" in bad
    assert "7–7 of 7" in past
    assert 'rel="next"' not in past


def test_planning_sees_a_new_risk_at_once(admin_client, factory, to_plan):
    admin_client.get("/roadmap/planning")
    factory.risk(to_plan[0].team, title="Found today", likelihood=5, impact=5)

    page = admin_client.get("/roadmap/planning").get_data(as_text=True)

    assert "Found today" in page
    assert page.index("Found today") < page.index("Gap 7")


def test_the_planning_export_lists_every_row_in_rank_order_across_chunks(
    admin_client, to_plan, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK", 2)

    rows = list(csv.DictReader(io.StringIO(admin_client.get("/roadmap/planning.csv").text)))

    by_rank = sorted(to_plan, key=lambda risk: (-risk.score, risk.number))
    assert [row["risk"] for row in rows] == [risk.key for risk in by_rank]
    assert [row["rank"] for row in rows] == [str(n) for n in range(1, len(to_plan) + 1)]


# Delivery


def test_delivery_sees_completed_work_and_a_new_day_at_once(admin_client, factory, clock):
    sre = factory.team("sre", "SRE")
    risk = factory.risk(sre)
    due = work(risk, sre, "Due tomorrow", due_date=TODAY + timedelta(days=1))
    before = admin_client.get("/roadmap/delivery?team=sre").get_data(as_text=True)
    clock.advance(days=2)
    overdue = admin_client.get("/roadmap/delivery?team=sre").get_data(as_text=True)
    due.status, due.completed_on = "done", date(2026, 3, 4)
    db.session.commit()
    done = admin_client.get("/roadmap/delivery?team=sre").get_data(as_text=True)

    past_due = '<td data-label="Open past due" class="num">1</td>'
    completed = '<td data-label="Completed" class="num">1</td>'
    assert past_due not in before
    assert past_due in overdue
    assert past_due not in done and completed in done
