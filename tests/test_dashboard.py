"""The dashboard: ranking and its reasons, heat maps, budget, attention lists, team filter, cost."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.helpers import counting_queries
from tracker.dashboard import ranking
from tracker.dashboard import services as dashboard
from tracker.domain.ranking import RankInput, factors, rank
from tracker.mitigations.services import add_mitigation, update_mitigation
from tracker.risks import services as risk_services
from tracker.risks import settings as risk_settings

TODAY = date(2026, 3, 2)


def entry(number, score, band="high", bad=None, overdue=0, review=TODAY):
    return RankInput(number, f"RISK-{number}", band, score, bad, overdue, review)


class TestRule:
    def test_band_and_score_first_then_bad_minutes_then_overdue_work_then_review(self):
        risks = [
            entry(1, 12, bad=50),
            entry(2, 16, band="critical"),
            entry(3, 12, bad=500),
            entry(4, 12, bad=50, overdue=2),
            entry(5, 12, bad=50, overdue=2, review=TODAY - timedelta(days=9)),
            entry(6, 12),
        ]
        assert [r.number for r in rank(risks, TODAY)] == [2, 3, 5, 4, 1, 6]

    def test_factors_say_why_in_the_rules_order(self):
        risk = entry(7, 12, bad=263, overdue=1, review=TODAY - timedelta(days=3))
        assert factors(risk, TODAY, budget_share=0.25) == [
            "high band, score 12",
            "263 bad min/yr (25% of the error budget)",
            "1 overdue mitigation",
            "review 3 days overdue",
        ]

    def test_an_unquantified_risk_says_so(self):
        assert factors(entry(8, 4, band="low"), TODAY, None) == [
            "low band, score 4",
            "not quantified",
        ]


@pytest.fixture
def register(factory, clock, admin):
    """Hand-built: payments has a critical quantified risk with overdue work and an accepted one;
    search has a medium risk without owner or mitigation."""
    payments = factory.team("payments", "Payments")
    search = factory.team("search", "Search")
    owner = factory.user(email="olga@example.com", name="Olga")
    today = clock.current.date()
    top = factory.risk(
        team=payments,
        owner=owner,
        title="Database in one zone",
        likelihood=4,
        impact=5,
        residual_likelihood=2,
        residual_impact=5,
        ettd_minutes=30,
        ettr_minutes=300,
        users_impacted=1,
        ettf_days=365.25,
    )
    add_mitigation(
        top, {"title": "Replica", "team": "payments", "due_date": today - timedelta(days=1)}, None
    )
    soon = add_mitigation(
        top, {"title": "Runbook", "team": "payments", "due_date": today + timedelta(days=14)}, None
    )
    accepted = factory.risk(
        team=payments,
        owner=owner,
        title="Legacy batch job",
        likelihood=2,
        impact=3,
        ettd_minutes=60,
        ettr_minutes=60,
        users_impacted=0.1,
        ettf_days=30,
    )
    risk_services.change_status(
        accepted, "accepted", admin, approver=admin, expires_on=today + timedelta(days=10)
    )
    lonely = factory.risk(team=search, title="Index rebuild overload", likelihood=2, impact=4)
    return {"top": top, "accepted": accepted, "lonely": lonely, "soon": soon, "search": search}


def test_ranking_in_the_database_follows_the_domain_rule(app, register):
    board = dashboard.build()
    assert [r.risk.title for r in board.top] == ["Database in one zone", "Index rebuild overload"]
    first = board.top[0]
    assert first.overdue_mitigations == 1 and first.next_mitigation.title == "Replica"
    assert first.factors[0] == "critical band, score 20"


def test_heat_maps_count_inherent_and_residual_cells(app, register):
    board = dashboard.build()
    assert board.heat_inherent.cells == {(4, 5): 1, (2, 3): 1, (2, 4): 1}
    assert board.heat_inherent.unassessed == 0


def test_the_residual_heat_map_leaves_out_unassessed_risks_and_counts_them(viewer_client, register):
    board = dashboard.build()
    assert (board.heat_residual.cells, board.heat_residual.unassessed) == ({(2, 5): 1}, 2)
    page = viewer_client.get("/").get_data(as_text=True)
    assert "2 risks with the residual score not assessed, not in this map." in page


def test_heat_map_cells_link_to_the_register_filtered_to_the_cell(viewer_client, register):
    page = viewer_client.get("/").get_data(as_text=True)
    link = (
        re.search(r'href="(/risks\?[^"]*likelihood=4[^"]*)"', page).group(1).replace("&amp;", "&")
    )
    assert "impact=5" in link
    listed = viewer_client.get(link).get_data(as_text=True)
    assert "Database in one zone" in listed and "Legacy batch job" not in listed


def test_budget_splits_accepted_from_unmitigated_minutes(app, register):
    budget = dashboard.build().budget
    assert budget.unmitigated == pytest.approx(330.0)
    assert budget.accepted == pytest.approx(120 * 0.1 * 365.25 / 30)
    assert budget.share == pytest.approx(budget.total / 1051.92, rel=1e-6)
    assert [risk.title for risk in budget.too_big] == ["Database in one zone"], "330 > 25% of 1052"


def test_attention_lists_catch_each_case(app, register):
    attention = dashboard.build().attention
    assert attention["overdue"].count == 1, "due yesterday is overdue"
    assert attention["due_soon"].count == 1, "the window's last day is due soon"
    assert [r.title for r in attention["no_owner"].items] == ["Index rebuild overload"]
    assert [r.title for r in attention["no_mitigation"].items] == ["Index rebuild overload"]
    assert [r.title for r in attention["acceptance_expiring"].items] == ["Legacy batch job"]
    assert attention["review_overdue"].count == 0


def test_review_overdue_and_rescore_lists(app, register, clock):
    clock.advance(days=8)  # the critical risk's weekly review is now overdue
    for mitigation in register["top"].mitigations:
        update_mitigation(mitigation, {"status": "done"}, None, expected_version=mitigation.version)
    attention = dashboard.build().attention
    assert "Database in one zone" in [r.title for r in attention["review_overdue"].items]
    assert [r.title for r in attention["rescore"].items] == ["Database in one zone"]


def test_team_filter_narrows_every_panel(app, register):
    board = dashboard.build(register["search"])
    assert [r.risk.title for r in board.top] == ["Index rebuild overload"]
    assert board.budget.total == 0 and board.attention["overdue"].count == 0
    assert board.heat_inherent.cells == {(2, 4): 1}


def test_dashboard_page_renders_each_panel(viewer_client, register):
    page = viewer_client.get("/?team=payments").get_data(as_text=True)
    for heading in (
        "Top risks",
        "Error budget",
        "Heat map",
        "Needs attention",
        "By team",
        "Trend, last 12 weeks",
    ):
        assert heading in page
    assert (
        "Database in one zone" in page
        and "Index rebuild overload" not in page.split("Needs attention")[0]
    )


@pytest.mark.app_config(JIRA_URL="https://jira.example.com", JIRA_SYNC_MAX_AGE_HOURS=24)
def test_a_stale_sync_is_warned_about(viewer_client, register):
    assert "Jira data may be stale" in viewer_client.get("/").get_data(as_text=True)


def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_big_register(
    viewer_client, register, factory, clock
):
    viewer_client.get("/")
    clock.advance(minutes=1)  # figures cached a minute ago are computed again
    with counting_queries() as few:
        viewer_client.get("/")
    team = register["search"]
    today = clock.current.date()
    for number in range(30):
        risk = factory.risk(
            team=team,
            title=f"More {number}",
            likelihood=1 + number % 5,
            ettd_minutes=5,
            ettr_minutes=5,
            users_impacted=0.1,
            ettf_days=30,
        )
        add_mitigation(
            risk,
            {"title": "Work", "team": "search", "due_date": today - timedelta(days=number % 3)},
            None,
        )
    # As for `few`: this week's trend row already holds the figures (the first computation
    # after they move also writes it: three statements more, whatever the register's size).
    viewer_client.get("/")
    clock.advance(minutes=1)
    with counting_queries() as many:
        viewer_client.get("/")
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"


def test_the_trend_keeps_one_row_per_week_and_scope(app, register, clock):
    dashboard.build()
    dashboard.build()
    clock.current = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    trend = dashboard.build().trend
    assert [snap.week for snap in trend] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert trend[-1].critical == 1 and trend[-1].medium == 2


def test_the_trend_is_written_only_when_this_weeks_figures_move(app, register, factory, clock):
    dashboard.build()
    with counting_queries() as unchanged:
        dashboard.build()
    assert not [sql for sql in unchanged if "weekly_snapshots" in sql and "SELECT" not in sql]
    factory.risk(team="payments", title="Another critical", likelihood=5, impact=5)
    assert dashboard.build().trend[-1].critical == 2


def test_the_top_list_ranks_ties_at_its_lowest_score_by_the_rule(app, factory, clock):
    """Only risks scoring at least the list's lowest score are ranked; those tied at it are
    still ordered by bad minutes, then overdue work (the rule), not by who scored first."""
    today = clock.current.date()
    team = factory.team("payments", "Payments")
    factory.risk(team=team, title="Critical", likelihood=5, impact=5)
    factory.risk(team=team, title="High, unquantified", likelihood=3, impact=4)
    overdue = factory.risk(team=team, title="High with overdue work", likelihood=4, impact=3)
    add_mitigation(
        overdue, {"title": "Late", "team": "payments", "due_date": today - timedelta(days=1)}, None
    )
    factory.risk(
        team=team,
        title="High and quantified",
        likelihood=4,
        impact=3,
        ettd_minutes=10,
        ettr_minutes=50,
        users_impacted=0.5,
        ettf_days=90,
    )
    factory.risk(team=team, title="Low", likelihood=1, impact=2)
    top = ranking.top_risks(risk_settings.current(), today, limit=3)
    assert [r.risk.title for r in top] == [
        "Critical",
        "High and quantified",
        "High with overdue work",
    ]
    assert top[2].overdue_mitigations == 1
    everyone = ranking.top_risks(risk_settings.current(), today, limit=5)
    assert [r.risk.title for r in everyone][3:] == ["High, unquantified", "Low"]


def test_the_top_list_is_whole_when_fewer_risks_than_its_length(app, factory, clock):
    factory.risk(title="Only one")
    assert [r.risk.title for r in ranking.top_risks(risk_settings.current(), clock().date())] == [
        "Only one"
    ]


def test_mitigations_of_archived_risks_count_nowhere(app, register, admin, clock):
    archived = register["top"]
    risk_services.archive(archived, admin, "Duplicate of another risk.")
    board = dashboard.build()
    assert board.attention["overdue"].count == 0
    assert board.attention["due_soon"].count == 0
    assert board.attention["overdue"].items == []
    assert all(row.overdue == 0 for row in board.teams)


def test_an_overdue_mitigation_counts_for_its_team(app, register):
    rows = {row.team.slug: row.overdue for row in dashboard.build().teams}
    assert rows == {"payments": 1, "search": 0}
