"""The error budget incidents actually spent, on the dashboard: windows at their edges, the
exhausted state, the team filter, the year's chart, and the query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import counting_queries, record_incident
from tracker.dashboard import services as dashboard
from tracker.incidents import services as incidents
from tracker.mitigations.services import add_mitigation


@pytest.fixture
def outage(clock):
    """outage(team, started=timedelta before now, lasted=timedelta or None, minutes)."""
    return lambda team, started, lasted, minutes, **fields: record_incident(
        team, clock.current - started, lasted, minutes, **fields
    )


def spent(team=None) -> dict[int, float]:
    return {w.days: round(w.spent_minutes, 6) for w in dashboard.build(team).spent.windows}


def test_an_incident_straddling_a_window_start_counts_its_share_inside(payments, outage):
    # Two hours, half of them before the 7-day window began.
    outage(payments, timedelta(days=7, hours=1), timedelta(hours=2), 20)

    assert spent() == {7: 10.0, 28: 20.0, 90: 20.0, 365: 20.0}


def test_an_open_incident_spends_up_to_now(payments, outage, clock):
    outage(payments, timedelta(hours=2), None, 60)

    assert spent()[7] == 60.0
    # Still open eight days later: its minutes spread over 194 hours, 168 of them in 7 days.
    clock.advance(days=8)
    assert spent() == {7: pytest.approx(60 * 168 / 194), 28: 60.0, 90: 60.0, 365: 60.0}


def test_an_incident_resolved_exactly_at_a_window_start_spends_nothing_in_it(payments, outage):
    outage(payments, timedelta(days=28, hours=2), timedelta(hours=2), 30)

    assert spent() == {7: 0.0, 28: 0.0, 90: 30.0, 365: 30.0}


def test_the_page_shows_each_window_and_the_budget_line(viewer_client, payments, outage):
    outage(payments, timedelta(days=3), timedelta(hours=1), 12.5)

    page = viewer_client.get("/").get_data(as_text=True)

    section = page[
        page.index('id="spent-title"') : page.index("</section>", page.index("spent-title"))
    ]
    rows = re.findall(r'<th scope="row">(\d+) days</th>(.*?)</tr>', section, re.S)
    assert [days for days, _ in rows] == ["7", "28", "90", "365"]
    seven = re.findall(r'class="num"[^>]*>([^<]+)<', rows[0][1])
    # allowed, spent, remaining, burn rate, availability, expected
    assert seven[:5] == ["20.16", "12.5", "7.7", "0.62", "99.876%"]
    assert 'class="line spent' in section and 'class="line budget-pace"' in section
    assert "Error budget exhausted" not in page


def test_the_budget_is_exhausted_once_the_28_days_are_spent(viewer_client, payments, outage):
    outage(payments, timedelta(days=20), timedelta(hours=2), 80)
    assert "Error budget exhausted" not in viewer_client.get("/").get_data(as_text=True)

    outage(payments, timedelta(days=10), timedelta(hours=1), 0.64)
    page = viewer_client.get("/").get_data(as_text=True)

    assert "Error budget exhausted" in page
    assert "spent 80.6 of the 80.64 minutes the last 28 days allow (100%)" in page
    assert 'class="card spent-budget exhausted"' in page


def test_the_team_filter_counts_the_owning_teams_incidents(viewer_client, payments, search, outage):
    outage(payments, timedelta(days=1), timedelta(hours=1), 50)
    outage(search, timedelta(days=2), timedelta(hours=2), 90)

    assert spent(payments)[7] == 50.0
    assert spent(search)[7] == 90.0
    assert spent()[7] == 140.0
    # 140 minutes in 28 days overspend the budget; Payments' 50 alone do not.
    assert "Error budget exhausted" in viewer_client.get("/").get_data(as_text=True)
    page = viewer_client.get("/?team=payments").get_data(as_text=True)
    assert "Error budget exhausted" not in page


def test_the_chart_table_ends_at_the_years_spend(payments, outage):
    outage(payments, timedelta(days=200), timedelta(hours=1), 40)
    outage(payments, timedelta(days=5), timedelta(hours=1), 10)

    burn = dashboard.build().spent.burn

    assert burn[0].spent_minutes == 0
    assert burn[-1].spent_minutes == pytest.approx(50)
    assert burn[-1].pace_minutes == pytest.approx(1051.2)
    halfway = [p for p in burn if p.spent_minutes == pytest.approx(40)]
    assert halfway, "the older incident shows as a step months before the end"


def test_the_dashboard_costs_the_same_queries_with_no_and_many_incidents(
    viewer_client, payments, search, outage, factory, manager, clock
):
    risk = factory.risk(team=payments, likelihood=1)
    viewer_client.get("/")
    clock.advance(minutes=1)  # figures cached a minute ago are computed again
    with counting_queries() as few:
        viewer_client.get("/")
    for n in range(25):
        team = payments if n % 2 else search
        incident = outage(team, timedelta(days=n * 9 + 9), timedelta(hours=1), 30)
        incidents.link_risk(incident, risk, None)
        if n % 3 == 0:
            add_mitigation(
                risk,
                {
                    "title": f"Follow-up {n}",
                    "team": "payments",
                    "due_date": "2026-04-01",
                    "source_incident": incident.key,
                    "horizon": "short",
                },
                None,
            )
    with counting_queries() as many:
        page = viewer_client.get("/").get_data(as_text=True)
    assert "Error budget exhausted" in page
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"


def test_spans_come_back_from_the_database_to_the_millisecond(payments, outage, clock):
    from tracker.extensions import db
    from tracker.incidents.budget import spans

    incident = outage(payments, timedelta(days=3), timedelta(hours=1), 5)
    incident.started_at = clock.current - timedelta(days=2, milliseconds=250)
    incident.resolved_at = clock.current - timedelta(days=1, milliseconds=875)
    db.session.commit()

    [span] = spans(None, clock.current)

    assert span.start == (clock.current - timedelta(days=2, milliseconds=250)).timestamp()
    assert span.end == (clock.current - timedelta(days=1, milliseconds=875)).timestamp()
    assert span.minutes == 5
