"""POST /api/v1/risks and PATCH /api/v1/risks/{key}: the services' rules, ETags, roles."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import assert_problem
from tracker.models import RiskEvent
from tracker.risks import services as risk_services


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database has no failover")


NEW_RISK = {
    "title": "Queue fills up on Black Friday",
    "category": "capacity",
    "team": "payments",
    "likelihood": 4,
    "impact": 3,
}


def etag_of(risk) -> str:
    return f'W/"{risk.version}"'


# Create


def test_create_answers_201_with_the_risk_its_location_and_etag(admin_api, payments):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, "tags": ["queue"]})

    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/risks/{body['key']}"
    assert response.headers["ETag"] == 'W/"1"'
    assert body["status"] == "open"
    assert (body["score"], body["residual_score"], body["band"]) == (12, None, "high")
    assert body["tags"] == ["queue"]
    assert body["mitigations"] == []
    assert admin_api.get(response.headers["Location"]).get_json() == body


def test_a_manager_creates_risks_for_their_team(manager_api):
    response = manager_api.post("/api/v1/risks", json=NEW_RISK)
    assert response.status_code == 201


def test_a_manager_cannot_create_risks_for_another_team(manager_api, search):
    response = manager_api.post("/api/v1/risks", json={**NEW_RISK, "team": "search"})
    assert "own teams" in assert_problem(response, 422)["errors"]["team"]


def test_a_viewer_cannot_create_risks(viewer_api, payments):
    assert_problem(viewer_api.post("/api/v1/risks", json=NEW_RISK), 403)


def test_missing_and_bad_fields_are_422_with_the_services_messages(admin_api, payments):
    response = admin_api.post(
        "/api/v1/risks", json={"title": "", "team": "nowhere", "likelihood": 9, "impact": 2}
    )
    errors = assert_problem(response, 422)["errors"]
    assert errors == {
        "title": "Enter a title.",
        "team": "No team has the slug 'nowhere'. Give a team's slug.",
        "likelihood": "The likelihood must be 1 to 5 (got 9).",
        "category": "Give the category.",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 5), ("likelihood", "4"), ("likelihood", True), ("tags", "a,b"), ("owner", 1)],
)
def test_a_value_of_the_wrong_json_type_is_422(admin_api, payments, field, value):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, field: value})
    assert set(assert_problem(response, 422)["errors"]) == {field}


def test_unknown_fields_are_422_naming_them(admin_api, payments):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, "colour": "red", "sev": 1})
    errors = assert_problem(response, 422)["errors"]
    assert set(errors) == {"colour", "sev"}
    assert "Unknown field" in errors["colour"]


@pytest.mark.parametrize("field", ["key", "score", "band", "budget_share", "version", "status"])
def test_read_only_fields_are_422_saying_so(admin_api, payments, field):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, field: 1})
    assert "Read-only" in assert_problem(response, 422)["errors"][field]


def test_a_partial_quantification_is_refused(admin_api, payments):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, "ettd_minutes": 5})
    errors = assert_problem(response, 422)["errors"]
    assert {"ettr_minutes", "users_impacted", "ettf_days"} <= set(errors)


# Change


def test_patch_changes_only_the_fields_sent_and_bumps_the_etag(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"title": "Primary DB has no failover", "service": "checkout"},
        headers={"If-Match": etag_of(risk)},
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["service"], body["likelihood"]) == (
        "Primary DB has no failover",
        "checkout",
        3,
    )
    assert response.headers["ETag"] == f'W/"{body["version"]}"' == 'W/"2"'


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', ' W/"7", "1" ', "*"])
def test_if_match_takes_the_etag_weak_or_strong_any_of_a_list_or_star(admin_api, risk, if_match):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"service": "checkout"}, headers={"If-Match": if_match}
    )
    assert response.status_code == 200


def test_patch_without_if_match_is_428(admin_api, risk):
    response = admin_api.patch(f"/api/v1/risks/{risk.key}", json={"service": "checkout"})
    assert "If-Match" in assert_problem(response, 428)["detail"]
    assert risk.service == ""


@pytest.mark.parametrize("if_match", ['W/"0"', '"2"', "garbage"])
def test_patch_with_a_stale_etag_is_412_and_changes_nothing(admin_api, risk, if_match):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"service": "checkout"}, headers={"If-Match": if_match}
    )
    assert assert_problem(response, 412)
    assert risk.service == ""


def test_patch_after_someone_elses_change_is_412(admin_api, admin, risk):
    seen = etag_of(risk)
    risk_services.update_risk(risk, {"title": "Changed meanwhile"}, admin, expected_version=1)

    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"service": "checkout"}, headers={"If-Match": seen}
    )

    assert_problem(response, 412)
    assert risk.service == ""


def test_a_score_change_without_a_reason_is_422_on_reason(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"likelihood": 5}, headers={"If-Match": etag_of(risk)}
    )
    assert "reason" in assert_problem(response, 422)["errors"]
    assert risk.likelihood == 3


def test_a_score_change_with_a_reason_is_recorded(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"likelihood": 5, "reason": "Failed over twice in March."},
        headers={"If-Match": etag_of(risk)},
    )
    assert response.get_json()["score"] == 15
    event = RiskEvent.query.filter_by(risk_id=risk.id, field="likelihood").one()
    assert event.reason == "Failed over twice in March."


@pytest.mark.parametrize("field", ["score", "key", "bad_minutes_per_year", "mitigations"])
def test_computed_fields_are_read_only_in_a_patch(admin_api, risk, field):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={field: 25}, headers={"If-Match": etag_of(risk)}
    )
    assert "Read-only" in assert_problem(response, 422)["errors"][field]


def test_a_manager_changes_their_teams_risk(manager_api, risk):
    response = manager_api.patch(
        f"/api/v1/risks/{risk.key}", json={"service": "checkout"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200


def test_a_manager_cannot_change_another_teams_risk(manager_api, factory, search):
    other = factory.risk(team=search)
    response = manager_api.patch(
        f"/api/v1/risks/{other.key}", json={"service": "x"}, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 403)


def test_a_viewer_cannot_change_risks_even_without_if_match(viewer_api, risk):
    assert_problem(viewer_api.patch(f"/api/v1/risks/{risk.key}", json={"service": "x"}), 403)


def test_patch_of_an_unknown_risk_is_404(admin_api):
    response = admin_api.patch("/api/v1/risks/RISK-9", json={}, headers={"If-Match": '"1"'})
    assert_problem(response, 404)


# Status changes


def test_closing_needs_a_reason(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"status": "closed"}, headers={"If-Match": '"1"'}
    )
    assert "reason" in assert_problem(response, 422)["errors"]


def test_closing_with_a_reason(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"status": "closed", "reason": "Service retired."},
        headers={"If-Match": '"1"'},
    )
    assert response.get_json()["status"] == "closed"


def test_accepting_names_an_approver_and_an_expiry(admin_api, risk, manager):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"status": "accepted", "approver": manager.email, "expires_on": "2026-09-01"},
        headers={"If-Match": '"1"'},
    )
    assert response.get_json()["status"] == "accepted"
    assert risk.accepted_by == manager
    assert risk.acceptance_expires == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"approver": "nobody@example.com", "expires_on": "2026-09-01"}, "approver"),
        ({"approver": "viewer@example.com", "expires_on": "2026-09-01"}, "approver"),
        ({"approver": "admin@example.com", "expires_on": "1 Sept"}, "expires_on"),
        ({"approver": "admin@example.com", "expires_on": "2026-03-01"}, "expires_on"),
        ({"expires_on": "2026-09-01"}, "approver"),
    ],
)
def test_accepting_without_a_valid_approver_or_expiry_is_422(admin_api, risk, viewer, extra, field):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"status": "accepted", **extra},
        headers={"If-Match": '"1"'},
    )
    assert field in assert_problem(response, 422)["errors"]
    assert risk.status == "open"


def test_a_status_change_goes_alone(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}",
        json={"status": "closed", "reason": "Done.", "title": "New title"},
        headers={"If-Match": '"1"'},
    )
    assert "title" in assert_problem(response, 422)["errors"]["status"]
    assert (risk.status, risk.title) == ("open", "Primary database has no failover")


def test_approver_and_expiry_only_come_with_a_status(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"expires_on": "2026-09-01"}, headers={"If-Match": '"1"'}
    )
    assert set(assert_problem(response, 422)["errors"]) == {"expires_on"}


def test_an_impossible_transition_is_422(admin_api, risk):
    response = admin_api.patch(
        f"/api/v1/risks/{risk.key}", json={"status": "open"}, headers={"If-Match": '"1"'}
    )
    assert "status" in assert_problem(response, 422)["errors"]


# A residual not assessed is null


def test_the_api_creates_reads_and_clears_a_residual_with_null(admin_api, payments):
    body = {**NEW_RISK, "residual_likelihood": 2, "residual_impact": 2}
    created = admin_api.post("/api/v1/risks", json=body).get_json()
    assert created["residual_score"] == 4
    response = admin_api.patch(
        f"/api/v1/risks/{created['key']}",
        json={"residual_likelihood": None, "residual_impact": None, "reason": "Plan dropped"},
        headers={"If-Match": "*"},
    )
    assert response.status_code == 200, response.get_json()
    read = admin_api.get(f"/api/v1/risks/{created['key']}").get_json()
    assert (read["residual_likelihood"], read["residual_impact"], read["residual_score"]) == (
        None,
        None,
        None,
    )


def test_the_api_refuses_half_a_residual(admin_api, payments):
    response = admin_api.post("/api/v1/risks", json={**NEW_RISK, "residual_likelihood": 2})
    assert response.status_code == 422
    assert "residual_impact" in response.get_json()["errors"]
