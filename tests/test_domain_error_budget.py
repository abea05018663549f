"""Unit tests for tracker.domain.error_budget: the budget incidents actually spent over rolling
windows ending now (no app, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.error_budget import (
    Outage,
    Span,
    allowed_minutes,
    cumulative_spend,
    minutes_inside,
    reaches,
    share_inside,
    window_budgets,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def budgets_by_days(outages, **kwargs) -> dict:
    return {window.days: window for window in window_budgets(outages, NOW, **kwargs)}


# allowed minutes


@pytest.mark.parametrize(("days", "minutes"), [(7, 20.16), (28, 80.64), (90, 259.2), (365, 1051.2)])
def test_allowed_minutes_at_99_8_percent(days, minutes):
    assert allowed_minutes(days, 0.998) == pytest.approx(minutes)


def test_allowed_minutes_follow_the_slo():
    assert allowed_minutes(28, 0.999) == pytest.approx(40.32)


@pytest.mark.parametrize("slo", [0, 1, 1.2])
def test_allowed_minutes_refuse_an_slo_outside_zero_to_one(slo):
    with pytest.raises(ValueError, match="SLO"):
        allowed_minutes(7, slo)


# one incident against one window


def test_an_incident_inside_the_window_counts_all_its_impact_minutes():
    outage = Outage(ago(days=2), ago(days=2) + HOUR, 30)
    assert minutes_inside(outage, ago(days=7), NOW) == 30


def test_an_incident_straddling_the_window_start_counts_only_its_share_inside():
    # Four hours long, three of them before the 7-day window begins.
    outage = Outage(ago(days=7, hours=3), ago(days=7) + HOUR, 120)
    assert minutes_inside(outage, ago(days=7), NOW) == pytest.approx(30)


def test_an_open_incident_runs_to_now():
    # Started two hours before the 7-day window: of its 7 days 2 hours so far, 7 days inside.
    outage = Outage(ago(days=7, hours=2), None, 170)
    inside = timedelta(days=7) / timedelta(days=7, hours=2)
    assert minutes_inside(outage, ago(days=7), NOW) == pytest.approx(170 * inside)


def test_an_incident_resolved_exactly_at_the_window_start_spends_nothing_in_it():
    outage = Outage(ago(days=7, hours=1), ago(days=7), 60)
    assert minutes_inside(outage, ago(days=7), NOW) == 0


def test_an_incident_started_exactly_at_the_window_start_spends_everything_in_it():
    outage = Outage(ago(days=7), ago(days=7) + HOUR, 60)
    assert minutes_inside(outage, ago(days=7), NOW) == 60


def test_a_zero_duration_incident_counts_whole_inside_the_window():
    outage = Outage(ago(days=1), ago(days=1), 5)
    assert minutes_inside(outage, ago(days=7), NOW) == 5


def test_a_zero_duration_incident_on_the_window_start_belongs_to_the_window_before():
    outage = Outage(ago(days=7), ago(days=7), 5)
    assert minutes_inside(outage, ago(days=7), NOW) == 0
    assert minutes_inside(outage, ago(days=28), NOW) == 5


def test_an_incident_before_the_window_spends_nothing_in_it():
    outage = Outage(ago(days=30), ago(days=29), 500)
    assert minutes_inside(outage, ago(days=28), NOW) == 0


def test_an_incident_without_impact_minutes_spends_nothing():
    assert minutes_inside(Outage(ago(days=1), None, None), ago(days=7), NOW) == 0


def test_a_resolution_after_now_is_not_yet_known_so_the_incident_runs_to_now():
    outage = Outage(ago(hours=2), NOW + timedelta(hours=2), 60)
    assert minutes_inside(outage, ago(hours=1), NOW) == pytest.approx(30)


def test_share_inside_of_a_span_ending_before_it_starts_is_that_of_its_start():
    assert share_inside(ago(days=1), ago(days=2), ago(days=7), NOW) == 1.0


# the four windows


def test_windows_are_7_28_90_and_365_days_in_that_order():
    assert [window.days for window in window_budgets([], NOW)] == [7, 28, 90, 365]


def test_an_empty_history_spends_nothing_and_is_fully_available():
    for window in window_budgets([], NOW):
        assert window.spent_minutes == 0
        assert window.remaining_minutes == window.allowed_minutes
        assert window.burn_rate == 0
        assert window.availability == 1
        assert not window.exhausted


def test_each_window_counts_the_incidents_it_reaches():
    outages = [
        Outage(ago(days=1), ago(days=1) + HOUR, 10),
        Outage(ago(days=20), ago(days=20) + HOUR, 40),
        Outage(ago(days=60), ago(days=60) + HOUR, 100),
        Outage(ago(days=200), ago(days=200) + HOUR, 300),
        Outage(ago(days=400), ago(days=400) + HOUR, 1000),
    ]
    spent = {days: window.spent_minutes for days, window in budgets_by_days(outages).items()}
    assert spent == {7: 10, 28: 50, 90: 150, 365: 450}


def test_burn_rate_remaining_and_availability_of_a_window():
    window = budgets_by_days([Outage(ago(days=3), ago(days=3) + HOUR, 40.32)])[28]
    assert window.allowed_minutes == pytest.approx(80.64)
    assert window.burn_rate == pytest.approx(0.5)
    assert window.remaining_minutes == pytest.approx(40.32)
    assert window.availability == pytest.approx(1 - 40.32 / (28 * 1440))


def test_a_window_spent_exactly_is_exhausted_and_overspent_goes_negative():
    exact = budgets_by_days([Outage(ago(days=3), ago(days=2), allowed_minutes(7))])[7]
    assert exact.exhausted
    over = budgets_by_days([Outage(ago(days=3), ago(days=2), 30.16)])[7]
    assert over.remaining_minutes == pytest.approx(-10)
    assert over.burn_rate == pytest.approx(30.16 / 20.16)


def test_a_window_spent_to_the_minute_at_99_8_percent_is_exhausted():
    # (1 − 0.998) is a hair above 0.002 in floating point; 80.64 minutes must still count.
    assert budgets_by_days([Outage(ago(days=3), ago(days=2), 80.64)])[28].exhausted


def test_a_window_just_under_its_budget_is_not_exhausted():
    window = budgets_by_days([Outage(ago(days=3), ago(days=2), 80.6)])[28]
    assert not window.exhausted


def test_windows_use_the_slo_given():
    window = budgets_by_days([], slo=0.99)[7]
    assert window.allowed_minutes == pytest.approx(100.8)


# the cumulative curve


def test_the_curve_starts_at_zero_and_ends_at_the_365_day_spent():
    outages = [
        Outage(ago(days=365, hours=1), ago(days=364, hours=23), 60),  # half inside
        Outage(ago(days=100), ago(days=100) + HOUR, 25),
        Outage(ago(hours=3), None, 12),
    ]
    points = cumulative_spend(outages, NOW)
    assert points[0].at == ago(days=365) and points[0].spent_minutes == 0
    assert points[-1].at == NOW
    assert points[-1].spent_minutes == pytest.approx(budgets_by_days(outages)[365].spent_minutes)
    assert points[-1].spent_minutes == pytest.approx(30 + 25 + 12)


def test_the_curve_rises_in_the_step_of_each_incident():
    points = cumulative_spend([Outage(ago(days=100), ago(days=100) + HOUR, 25)], NOW)
    before = [p.spent_minutes for p in points if p.at < ago(days=100)]
    after = [p.spent_minutes for p in points if p.at > ago(days=100) + HOUR]
    assert set(before) == {0} and set(after) == {25}


def test_the_pace_line_reaches_the_yearly_allowance_at_now():
    points = cumulative_spend([], NOW)
    assert points[-1].pace_minutes == pytest.approx(1051.2)
    assert points[1].pace_minutes == pytest.approx(allowed_minutes(7))
    assert len(points) == 54  # the start, 52 weeks, and the last day up to now


moments = st.integers(min_value=-400 * 24, max_value=2 * 24).map(lambda h: NOW + h * HOUR)


@given(
    st.lists(
        st.tuples(moments, st.one_of(st.none(), moments), st.floats(0, 500)),
        max_size=8,
    )
)
def test_every_curve_point_is_what_minutes_inside_counts_up_to_it(rows):
    outages = [Outage(start, end, minutes) for start, end, minutes in rows]
    start = ago(days=365)
    for point in cumulative_spend(outages, NOW):
        expected = sum(minutes_inside(o, start, NOW, window_end=point.at) for o in outages)
        assert point.spent_minutes == pytest.approx(expected, abs=1e-6)


@given(
    st.lists(
        st.tuples(moments, st.one_of(st.none(), moments), st.floats(0, 500)),
        max_size=8,
    )
)
def test_every_window_spends_what_minutes_inside_counts_in_it(rows):
    outages = [Outage(start, end, minutes) for start, end, minutes in rows]
    for window in window_budgets(outages, NOW):
        start = ago(days=window.days)
        expected = sum(minutes_inside(o, start, NOW) for o in outages)
        assert window.spent_minutes == pytest.approx(expected, abs=1e-6)


def test_an_incident_reaches_a_window_when_any_of_it_lies_inside():
    assert reaches(Outage(ago(days=8), ago(days=6), 0), ago(days=7), NOW)
    assert not reaches(Outage(ago(days=8), ago(days=7), 10), ago(days=7), NOW)
    assert reaches(Outage(ago(days=8), None, 10), ago(days=7), NOW)


def test_spans_in_seconds_count_as_the_outages_they_stand_for():
    outages = [
        Outage(ago(days=7, hours=3), ago(days=7) + HOUR, 120),
        Outage(ago(hours=5), None, 40),
        Outage(ago(days=200), ago(days=200), 9),
    ]
    spans = [
        Span(
            o.started_at.timestamp(), o.resolved_at and o.resolved_at.timestamp(), o.impact_minutes
        )
        for o in outages
    ]
    assert window_budgets(spans, NOW) == window_budgets(outages, NOW)
    assert cumulative_spend(spans, NOW) == cumulative_spend(outages, NOW)
