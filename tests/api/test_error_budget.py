"""/api/v1/error-budget: the budget incidents spent per rolling window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import assert_problem
from tests.helpers import record_incident


@pytest.fixture
def outage(clock):
    return lambda team, started, lasted, minutes: record_incident(
        team, clock.current - started, lasted, minutes
    )


def test_each_window_with_its_figures(viewer_api, payments, outage):
    outage(payments, timedelta(days=7, hours=1), timedelta(hours=2), 20)  # straddles 7 days
    outage(payments, timedelta(hours=2), None, 60)  # still open
    outage(payments, timedelta(days=28, hours=2), timedelta(hours=2), 30)  # ends at 28 days

    response = viewer_api.get("/api/v1/error-budget")

    assert response.status_code == 200
    body = response.get_json()
    assert body["slo"] == 0.998 and body["team"] is None
    assert [w["days"] for w in body["windows"]] == [7, 28, 90, 365]
    seven, twenty_eight, ninety, _ = body["windows"]
    assert seven == {
        "days": 7,
        "allowed_minutes": 20.16,
        "spent_minutes": 70.0,
        "remaining_minutes": pytest.approx(-49.84),
        "burn_rate": pytest.approx(70 / 20.16),
        "availability": pytest.approx(1 - 70 / 10080),
        "exhausted": True,
    }
    assert (twenty_eight["allowed_minutes"], twenty_eight["spent_minutes"]) == (80.64, 80.0)
    assert twenty_eight["exhausted"] is False
    assert (ninety["allowed_minutes"], ninety["spent_minutes"]) == (259.2, 110.0)


def test_team_counts_its_own_incidents(viewer_api, payments, search, outage):
    outage(payments, timedelta(days=1), timedelta(hours=1), 5)
    outage(search, timedelta(days=1), timedelta(hours=1), 7)

    body = viewer_api.get("/api/v1/error-budget?team=search").get_json()

    assert body["team"] == "search"
    assert body["windows"][0]["spent_minutes"] == 7.0


def test_an_unknown_team_is_a_problem_naming_it(viewer_api):
    body = assert_problem(viewer_api.get("/api/v1/error-budget?team=nope"), 422)

    assert "nope" in body["errors"]["team"]


def test_a_token_is_needed(client):
    assert_problem(client.get("/api/v1/error-budget"), 401)


@pytest.mark.app_config(SLO_TARGET=0.999)
def test_the_slo_is_the_settings(viewer_api):
    body = viewer_api.get("/api/v1/error-budget").get_json()

    assert body["slo"] == 0.999
    assert body["windows"][0]["allowed_minutes"] == 10.08
    assert body["windows"][0]["spent_minutes"] == 0.0


def test_the_document_describes_it(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/error-budget"]

    assert [p["name"] for p in operation["get"]["parameters"]] == ["team"]
    assert "422" in operation["get"]["responses"] and "401" in operation["get"]["responses"]


def test_the_dashboard_counts_the_incident_attention_lists_too(viewer_api, payments, outage):
    outage(payments, timedelta(days=10), timedelta(hours=1), 20)  # big, no follow-up, unreviewed

    attention = viewer_api.get("/api/v1/dashboard").get_json()["attention"]

    assert attention["needs_follow_up"] == 1
    assert attention["review_overdue"] == 1
    assert attention["estimate_too_low"] == 0
