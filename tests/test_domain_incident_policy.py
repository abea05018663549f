"""Unit tests for tracker.domain.incident_policy: the calibration flag, review discipline and
the follow-up policy, each SQL form pinned to its Python rule over generated rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.domain.incident_policy import (
    estimate_looks_too_low,
    estimate_looks_too_low_sql,
    follow_up_threshold_minutes,
    needs_follow_up,
    needs_follow_up_sql,
    review_overdue,
    review_overdue_sql,
)
from tracker.models.types import UTCDateTime

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


# calibration: "estimate looks too low"


@pytest.mark.parametrize("likelihood", [1, 2])
def test_two_incidents_a_year_from_an_unlikely_risk_look_too_low(likelihood):
    assert estimate_looks_too_low(likelihood, None, incidents_365d=2, actual_bad_minutes_365d=0)


def test_one_incident_a_year_from_an_unlikely_risk_is_within_its_estimate():
    assert not estimate_looks_too_low(1, None, incidents_365d=1, actual_bad_minutes_365d=0)


def test_many_incidents_from_a_risk_rated_possible_are_within_its_estimate():
    assert not estimate_looks_too_low(3, None, incidents_365d=5, actual_bad_minutes_365d=0)


def test_more_than_twice_the_estimated_bad_minutes_looks_too_low():
    assert estimate_looks_too_low(5, 100.0, incidents_365d=1, actual_bad_minutes_365d=200.5)


def test_exactly_twice_the_estimated_bad_minutes_is_still_within_it():
    assert not estimate_looks_too_low(5, 100.0, incidents_365d=1, actual_bad_minutes_365d=200)


def test_an_unquantified_risk_is_judged_on_its_incidents_only():
    assert not estimate_looks_too_low(4, None, incidents_365d=9, actual_bad_minutes_365d=5000)


def test_a_risk_estimated_at_zero_minutes_looks_too_low_after_any_spent():
    assert estimate_looks_too_low(4, 0.0, incidents_365d=1, actual_bad_minutes_365d=0.5)


# review discipline


def resolved(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def test_a_review_not_held_seven_days_after_resolving_is_overdue():
    assert review_overdue("reviewing", resolved(7.01), None, NOW, TODAY)


def test_a_review_is_not_overdue_within_the_seven_days():
    assert not review_overdue("reviewing", resolved(6.99), None, NOW, TODAY)
    assert not review_overdue("reviewing", resolved(7), None, NOW, TODAY)


def test_a_review_held_late_is_no_longer_overdue():
    assert not review_overdue("reviewing", resolved(20), TODAY - timedelta(days=2), NOW, TODAY)


def test_a_review_held_today_counts_as_held():
    assert not review_overdue("reviewing", resolved(20), TODAY, NOW, TODAY)


def test_a_review_only_planned_for_later_is_still_overdue():
    assert review_overdue("reviewing", resolved(20), TODAY + timedelta(days=1), NOW, TODAY)


def test_an_open_incident_has_no_review_deadline_yet():
    assert not review_overdue("open", None, None, NOW, TODAY)


def test_a_closed_incident_is_never_review_overdue():
    assert not review_overdue("closed", resolved(30), None, NOW, TODAY)


def test_the_review_deadline_follows_the_configured_days():
    assert review_overdue("reviewing", resolved(3.5), None, NOW, TODAY, review_days=3)
    assert not review_overdue("reviewing", resolved(3.5), None, NOW, TODAY, review_days=4)


# the follow-up policy


def test_the_follow_up_threshold_is_a_fifth_of_the_28_day_budget():
    assert follow_up_threshold_minutes(0.998) == pytest.approx(16.128)


def test_an_incident_above_a_fifth_of_the_28_day_budget_without_follow_up_is_flagged():
    assert needs_follow_up(16.2, follow_ups=0)


def test_an_incident_with_a_follow_up_is_not_flagged():
    assert not needs_follow_up(500, follow_ups=1)


def test_an_incident_at_or_under_the_threshold_is_not_flagged():
    assert not needs_follow_up(16.128, follow_ups=0)
    assert not needs_follow_up(None, follow_ups=0)


# SQL forms against their Python rules


@pytest.fixture(scope="module")
def table():
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    incidents = sa.Table(
        "incidents",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("review_date", sa.Date),
        sa.Column("impact_minutes", sa.Float),
        sa.Column("follow_ups", sa.Integer),
    )
    metadata.create_all(engine)
    return engine, incidents


incident_rows = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["open", "reviewing", "closed"]),
            "resolved_at": st.one_of(
                st.none(), st.integers(-30 * 24, 24).map(lambda h: NOW + timedelta(hours=h))
            ),
            "review_date": st.one_of(
                st.none(), st.integers(-30, 10).map(lambda d: TODAY + timedelta(days=d))
            ),
            "impact_minutes": st.one_of(st.none(), st.floats(0, 100)),
            "follow_ups": st.integers(0, 2),
        }
    ),
    max_size=12,
)


def _matching(engine, table, condition, rows) -> set[int]:
    with engine.begin() as connection:
        connection.execute(table.delete())
        if rows:
            connection.execute(table.insert(), [{"id": n, **row} for n, row in enumerate(rows)])
        return set(connection.scalars(sa.select(table.c.id).where(condition)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=incident_rows)
def test_review_overdue_sql_selects_what_review_overdue_says(table, rows):
    engine, incidents = table
    c = incidents.c
    condition = review_overdue_sql(c.status, c.resolved_at, c.review_date, NOW, TODAY, 7)
    expected = {
        n
        for n, row in enumerate(rows)
        if review_overdue(row["status"], row["resolved_at"], row["review_date"], NOW, TODAY)
    }
    assert _matching(engine, incidents, condition, rows) == expected


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=incident_rows)
def test_needs_follow_up_sql_selects_what_needs_follow_up_says(table, rows):
    engine, incidents = table
    condition = needs_follow_up_sql(incidents.c.impact_minutes, incidents.c.follow_ups > 0, 0.998)
    expected = {
        n for n, row in enumerate(rows) if needs_follow_up(row["impact_minutes"], row["follow_ups"])
    }
    assert _matching(engine, incidents, condition, rows) == expected


@pytest.fixture(scope="module")
def risk_table():
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    risks = sa.Table(
        "risks",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("likelihood", sa.Integer),
        sa.Column("estimate", sa.Float),
        sa.Column("incidents", sa.Integer),
        sa.Column("actual", sa.Float),
    )
    metadata.create_all(engine)
    return engine, risks


risk_rows = st.lists(
    st.fixed_dictionaries(
        {
            "likelihood": st.one_of(st.none(), st.integers(1, 5)),
            "estimate": st.one_of(st.none(), st.floats(0, 300)),
            "incidents": st.integers(0, 4),
            "actual": st.floats(0, 700),
        }
    ),
    max_size=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=risk_rows)
def test_estimate_looks_too_low_sql_selects_what_the_rule_says(risk_table, rows):
    engine, risks = risk_table
    c = risks.c
    condition = estimate_looks_too_low_sql(c.likelihood, c.estimate, c.incidents, c.actual)
    expected = {
        n
        for n, row in enumerate(rows)
        if estimate_looks_too_low(
            row["likelihood"], row["estimate"], row["incidents"], row["actual"]
        )
    }
    assert _matching(engine, risks, condition, rows) == expected
