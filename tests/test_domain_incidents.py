"""The incident rules: duration, impact, times in order, statuses, severities."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.domain import incidents as rules

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR_AGO = NOW - timedelta(hours=1)


def test_duration_runs_from_start_to_resolution():
    assert rules.duration_minutes(HOUR_AGO, HOUR_AGO + timedelta(minutes=25), NOW) == 25


def test_an_open_incident_lasts_until_now():
    assert rules.duration_minutes(HOUR_AGO, None, NOW) == 60


def test_an_incident_starting_after_now_has_lasted_nothing():
    assert rules.duration_minutes(NOW + timedelta(minutes=5), None, NOW) == 0


def test_a_share_of_users_multiplies_the_duration():
    assert rules.impact_from_share(0.25, 60) == 15


def test_impact_minutes_up_to_the_duration_are_accepted():
    assert rules.impact_problem(60, 60) is None
    assert rules.impact_problem(0, 60) is None


def test_impact_minutes_above_the_duration_are_refused():
    assert "exceed the incident's duration (60 minutes)" in rules.impact_problem(61, 60)


def test_times_in_order_have_no_problems():
    resolved = HOUR_AGO + timedelta(minutes=30)
    assert rules.timing_problems(HOUR_AGO, HOUR_AGO, resolved, NOW) == {}


def test_resolved_before_started_is_refused():
    problems = rules.timing_problems(HOUR_AGO, None, HOUR_AGO - timedelta(minutes=1), NOW)
    assert problems == {"resolved_at": "It was resolved before it started; check both times."}


def test_detected_before_started_is_refused():
    problems = rules.timing_problems(HOUR_AGO, HOUR_AGO - timedelta(seconds=1), None, NOW)
    assert set(problems) == {"detected_at"}


def test_a_start_in_the_future_is_refused():
    problems = rules.timing_problems(NOW + timedelta(minutes=1), None, None, NOW)
    assert "future" in problems["started_at"]


def test_a_review_date_before_the_start_is_refused():
    assert rules.review_date_problem(date(2026, 3, 1), NOW) is not None
    assert rules.review_date_problem(date(2026, 3, 2), NOW) is None
    assert rules.review_date_problem(None, NOW) is None


@pytest.mark.parametrize(
    ("current", "target", "resolved", "reason", "problem"),
    [
        ("open", "reviewing", True, "", None),
        ("reviewing", "closed", True, "", None),
        ("open", "closed", True, "", None),
        ("open", "reviewing", False, "", "Give the resolution time"),
        ("closed", "reviewing", True, "", "Say why"),
        ("closed", "open", True, "The fix did not hold", None),
        ("open", "open", False, "", "already open"),
        ("open", "done", True, "", "must be one of open, reviewing, closed"),
    ],
)
def test_status_transitions(current, target, resolved, reason, problem):
    found = rules.transition_problem(current, target, resolved=resolved, reason=reason)
    assert (found is None) if problem is None else (problem in found)


def test_severities_from_text_or_list():
    assert rules.validate_severities("p1, p2") == ("p1", "p2")
    assert rules.validate_severities(["sev1", "sev2"]) == ("sev1", "sev2")


@pytest.mark.parametrize("levels", [[], ["sev1", "sev1"], [""], "x" * 40, [3]])
def test_unusable_severities_are_refused(levels):
    with pytest.raises(ValueError):
        rules.validate_severities(levels)
