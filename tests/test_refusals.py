"""A refusal says who owns the thing and who can change it, on pages and in the API."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import ApiClient, assert_problem, token_for
from tracker.mitigations.services import add_mitigation

OWNED_BY_SEARCH = "belongs to the Search team: its managers (Sam Search) or an admin can change it."


@pytest.fixture
def search_risk(factory, search):
    factory.user("sam@example.com", "manager", "Sam Search", teams=[search])
    factory.user("vera@example.com", "viewer", "Vera Viewer", teams=[search])
    return factory.risk(search)


@pytest.fixture
def search_mitigation(search_risk):
    return add_mitigation(
        search_risk,
        {"title": "Add a replica", "team": "search", "due_date": date(2026, 5, 1)},
        None,
    )


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_a_manager_refused_on_another_teams_risk_reads_who_owns_it(manager_client, search_risk):
    response = manager_client.get(f"/risks/{search_risk.key}/edit")
    assert response.status_code == 403
    assert f"{search_risk.key} {OWNED_BY_SEARCH}" in page_text(response)
    assert "Your role does not allow this page" not in page_text(response)


def test_a_refused_status_change_names_the_team_too(manager_client, search_risk):
    response = manager_client.post(f"/risks/{search_risk.key}/status", data={"status": "closed"})
    assert response.status_code == 403
    assert OWNED_BY_SEARCH in page_text(response)


def test_a_manager_refused_on_another_teams_mitigation_reads_who_owns_it(
    manager_client, search_mitigation
):
    response = manager_client.get(f"/mitigations/{search_mitigation.id}/edit")
    assert response.status_code == 403
    assert f"{search_mitigation.label} {OWNED_BY_SEARCH}" in page_text(response)


def test_a_viewer_is_told_viewers_change_nothing(viewer_client, search_risk):
    response = viewer_client.get(f"/risks/{search_risk.key}/edit")
    assert "Viewers read the register but change nothing." in page_text(response)


def test_a_team_without_a_manager_points_at_an_admin(manager_client, factory):
    risk = factory.risk(factory.team("edge", "Edge"))
    response = manager_client.get(f"/risks/{risk.key}/edit")
    assert "an admin (the team has no manager yet) can change it" in page_text(response)


def test_the_api_problem_says_the_same(app, manager, search_risk, search_mitigation):
    api = ApiClient(app.test_client(), token_for(manager))
    risk_problem = assert_problem(
        api.patch(f"/api/v1/risks/{search_risk.key}", json={"service": "x"}), 403
    )
    assert risk_problem["detail"] == f"{search_risk.key} {OWNED_BY_SEARCH}"
    mitigation_problem = assert_problem(
        api.patch(f"/api/v1/mitigations/{search_mitigation.id}", json={"title": "y"}), 403
    )
    assert mitigation_problem["detail"] == f"{search_mitigation.label} {OWNED_BY_SEARCH}"


def test_linking_a_ticket_to_another_teams_risk_names_the_team(manager_client, search_risk):
    response = manager_client.post(f"/risks/{search_risk.key}/jira-links", data={"key": "S-1"})
    assert response.status_code == 403
    assert OWNED_BY_SEARCH in page_text(response)
