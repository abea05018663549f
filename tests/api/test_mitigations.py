"""POST /api/v1/risks/{key}/mitigations, GET and PATCH /api/v1/mitigations/{id}."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import assert_problem
from tracker.jira.links import add_link
from tracker.mitigations.services import add_mitigation

MITIGATION_FIELDS = {
    "id",
    "risk",
    "title",
    "description",
    "owner",
    "team",
    "due_date",
    "original_due_date",
    "status",
    "completed_on",
    "slip_count",
    "follow_jira",
    "notes",
    "source_incident",
    "horizon",
    "version",
    "jira_links",
}


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database has no failover")


@pytest.fixture
def mitigation(risk):
    return add_mitigation(
        risk, {"title": "Add a replica", "team": "payments", "due_date": "2026-04-01"}, None
    )


def path_of(mitigation) -> str:
    return f"/api/v1/mitigations/{mitigation.id}"


# Add


def test_adding_answers_201_with_location_and_etag(manager_api, risk, manager):
    response = manager_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={
            "title": "Add a replica",
            "team": "payments",
            "due_date": "2026-04-01",
            "owner": manager.email,
            "follow_jira": False,
        },
    )

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == MITIGATION_FIELDS
    assert response.headers["Location"] == f"/api/v1/mitigations/{body['id']}"
    assert response.headers["ETag"] == f'W/"{body["version"]}"'
    assert (body["risk"], body["status"], body["owner"]) == (risk.key, "planned", manager.email)
    assert body["original_due_date"] == body["due_date"] == "2026-04-01"
    assert body["follow_jira"] is False


def test_adding_without_the_required_fields_is_422(admin_api, risk):
    response = admin_api.post(f"/api/v1/risks/{risk.key}/mitigations", json={"title": "x"})
    assert set(assert_problem(response, 422)["errors"]) == {"team", "due_date"}


def test_adding_with_a_bad_status_is_422(admin_api, risk):
    response = admin_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={"title": "x", "team": "payments", "due_date": "2026-04-01", "status": "later"},
    )
    assert set(assert_problem(response, 422)["errors"]) == {"status"}


@pytest.mark.parametrize("field", ["slip_count", "original_due_date", "risk", "id"])
def test_computed_mitigation_fields_are_read_only(admin_api, risk, field):
    response = admin_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={"title": "x", "team": "payments", "due_date": "2026-04-01", field: 1},
    )
    assert "Read-only" in assert_problem(response, 422)["errors"][field]


def test_a_manager_adds_only_for_their_own_team(manager_api, risk, search):
    response = manager_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={"title": "x", "team": "search", "due_date": "2026-04-01"},
    )
    assert "team" in assert_problem(response, 422)["errors"]


def test_a_viewer_cannot_add(viewer_api, risk):
    response = viewer_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={"title": "x", "team": "payments", "due_date": "2026-04-01"},
    )
    assert_problem(response, 403)


def test_adding_to_an_unknown_risk_is_404(admin_api):
    assert_problem(admin_api.post("/api/v1/risks/RISK-9/mitigations", json={}), 404)


# Read


def test_get_answers_the_mitigation_with_links_and_etag(viewer_api, mitigation):
    add_link(mitigation, "OPS-7", None)

    response = viewer_api.get(path_of(mitigation))

    assert response.headers["ETag"] == 'W/"1"'
    body = response.get_json()
    assert body["title"] == "Add a replica"
    assert [link["key"] for link in body["jira_links"]] == ["OPS-7"]
    assert body["jira_links"][0]["url"] is None  # no JIRA_URL configured


@pytest.mark.parametrize("path", ["/api/v1/mitigations/999", "/api/v1/mitigations/99999999999"])
def test_an_unknown_mitigation_is_404(viewer_api, path):
    assert_problem(viewer_api.get(path), 404)


# Change


def test_patch_changes_the_fields_sent(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation),
        json={"status": "in_progress", "description": "Streaming replica in eu-west."},
        headers={"If-Match": 'W/"1"'},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["description"]) == ("in_progress", "Streaming replica in eu-west.")
    assert response.headers["ETag"] == f'W/"{body["version"]}"'


def test_moving_the_due_date_needs_a_reason(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation), json={"due_date": "2026-05-01"}, headers={"If-Match": '"1"'}
    )
    assert "reason" in assert_problem(response, 422)["errors"]
    assert mitigation.due_date == date(2026, 4, 1)


def test_moving_the_due_date_later_with_a_reason_counts_a_slip(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation),
        json={"due_date": "2026-05-01", "reason": "Vendor delay."},
        headers={"If-Match": '"1"'},
    )
    body = response.get_json()
    assert (body["due_date"], body["original_due_date"], body["slip_count"]) == (
        "2026-05-01",
        "2026-04-01",
        1,
    )


def test_a_note_is_appended_to_the_notes(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation), json={"note": "Ordered the hardware."}, headers={"If-Match": '"1"'}
    )
    assert "Ordered the hardware." in response.get_json()["notes"]


def test_follow_jira_can_be_switched(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation), json={"follow_jira": False}, headers={"If-Match": '"1"'}
    )
    assert response.get_json()["follow_jira"] is False
    assert mitigation.follow_jira is False


def test_patch_without_if_match_is_428(manager_api, mitigation):
    assert_problem(manager_api.patch(path_of(mitigation), json={"title": "x"}), 428)


def test_patch_with_a_stale_etag_is_412(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation), json={"follow_jira": False}, headers={"If-Match": 'W/"0"'}
    )
    assert_problem(response, 412)
    assert mitigation.follow_jira is True


def test_a_manager_cannot_change_another_teams_mitigation(manager_api, risk, search):
    theirs = add_mitigation(risk, {"title": "x", "team": "search", "due_date": "2026-04-01"}, None)
    response = manager_api.patch(path_of(theirs), json={"title": "y"}, headers={"If-Match": '"1"'})
    assert_problem(response, 403)


def test_a_viewer_cannot_change_mitigations(viewer_api, mitigation):
    assert_problem(viewer_api.patch(path_of(mitigation), json={"title": "y"}), 403)


def test_unknown_fields_in_a_patch_are_422(manager_api, mitigation):
    response = manager_api.patch(
        path_of(mitigation), json={"priority": 1}, headers={"If-Match": '"1"'}
    )
    assert "Unknown field" in assert_problem(response, 422)["errors"]["priority"]
