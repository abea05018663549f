"""The new-mitigation form: the risk's team does the work, its members own it first, and a
viewer never owns it (refused by the server too)."""

from __future__ import annotations

import re

import pytest

from tracker.models import Mitigation


@pytest.fixture
def people(factory, payments, search):
    """Members of both teams, a viewer in Search, and someone in no team."""
    return {
        "sam": factory.user("sam@example.com", "manager", "Sam Search", teams=[search]),
        "alex": factory.user("alex@example.com", "admin", "Alex Admin"),
        "vera": factory.user("vera@example.com", "viewer", "Vera Viewer", teams=[search]),
        "paul": factory.user("paul@example.com", "manager", "Paul Payments", teams=[payments]),
    }


def select(page: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)


def selected(menu: str) -> str:
    return re.search(r'<option selected value="([^"]*)"', menu).group(1)


def test_the_form_defaults_to_the_risks_team_not_the_first_team(
    admin_client, factory, people, search
):
    risk = factory.risk(search)  # "payments" comes first alphabetically
    page = admin_client.get(f"/risks/{risk.key}/mitigations/new").get_data(as_text=True)
    assert selected(select(page, "team")) == "search"


def test_a_manager_on_another_teams_risk_gets_their_own_team(manager_client, factory, search):
    risk = factory.risk(search)
    page = manager_client.get(f"/risks/{risk.key}/mitigations/new").get_data(as_text=True)
    assert selected(select(page, "team")) == "payments"


def test_owners_are_the_teams_members_first_then_others_never_viewers(
    admin_client, factory, people, search
):
    risk = factory.risk(search)
    page = admin_client.get(f"/risks/{risk.key}/mitigations/new").get_data(as_text=True)
    menu = select(page, "owner")
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', menu, re.S)
    assert [label for label, _ in groups] == ["Search team", "Other people"]
    assert re.findall(r'value="([^"]*)"', groups[0][1]) == ["", "sam@example.com"]
    assert "vera@example.com" not in menu and "viewer@example.com" not in menu
    assert {"alex@example.com", "paul@example.com", "admin@example.com"} <= set(
        re.findall(r'value="([^"]+)"', groups[1][1])
    )


def test_the_server_refuses_a_viewer_as_owner(admin_client, factory, people, search):
    risk = factory.risk(search)
    response = admin_client.post(
        f"/risks/{risk.key}/mitigations/new",
        data={
            "title": "Add a replica",
            "team": "search",
            "owner": "vera@example.com",
            "due_date": "2026-05-01",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    assert "Vera Viewer is a viewer and cannot own work" in response.get_data(as_text=True)
    assert Mitigation.query.count() == 0


def test_the_api_refuses_a_viewer_as_owner_too(app, admin, factory, people, search):
    from tests.api.conftest import ApiClient, assert_problem, token_for

    risk = factory.risk(search)
    api = ApiClient(app.test_client(), token_for(admin))
    response = api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={
            "title": "x",
            "team": "search",
            "due_date": "2026-05-01",
            "owner": "vera@example.com",
        },
    )
    assert "owner" in assert_problem(response, 422)["errors"]
