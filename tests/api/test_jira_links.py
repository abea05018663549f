"""POST and DELETE …/jira-links on risks and mitigations."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tracker.jira.links import add_link, links_of
from tracker.mitigations.services import add_mitigation

JIRA_LINK_FIELDS = {
    "key",
    "summary",
    "status",
    "status_category",
    "resolution",
    "assignee",
    "due_date",
    "updated",
    "synced_at",
    "broken",
    "url",
}


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments)


@pytest.fixture
def mitigation(risk):
    return add_mitigation(risk, {"title": "x", "team": "payments", "due_date": "2026-04-01"}, None)


@pytest.fixture(params=["risk", "mitigation"])
def item(request, risk, mitigation):
    """A risk or a mitigation, with its API path."""
    if request.param == "risk":
        return risk, f"/api/v1/risks/{risk.key}"
    return mitigation, f"/api/v1/mitigations/{mitigation.id}"


@pytest.mark.app_config(JIRA_URL="https://jira.example.com/")
def test_linking_answers_201_with_the_link(manager_api, item):
    target, path = item

    response = manager_api.post(f"{path}/jira-links", json={"key": " ops-12 "})

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == JIRA_LINK_FIELDS
    assert body["key"] == "OPS-12"
    assert body["url"] == "https://jira.example.com/browse/OPS-12"
    assert (body["status"], body["synced_at"], body["broken"]) == (None, None, False)
    assert [link.ticket.key for link in links_of(target)] == ["OPS-12"]


@pytest.mark.parametrize("body", [{"key": "not a key"}, {}, {"key": ""}])
def test_a_bad_key_is_422_on_key(manager_api, item, body):
    _, path = item
    response = manager_api.post(f"{path}/jira-links", json=body)
    assert set(assert_problem(response, 422)["errors"]) == {"key"}


def test_linking_twice_is_422(manager_api, item):
    target, path = item
    add_link(target, "OPS-1", None)
    response = manager_api.post(f"{path}/jira-links", json={"key": "OPS-1"})
    assert "already linked" in assert_problem(response, 422)["errors"]["key"]


def test_unlinking_answers_204(manager_api, item):
    target, path = item
    add_link(target, "OPS-1", None)

    response = manager_api.delete(f"{path}/jira-links/ops-1")

    assert response.status_code == 204
    assert response.get_data() == b""
    assert links_of(target) == []


def test_unlinking_a_ticket_not_linked_is_404(manager_api, item):
    _, path = item
    assert_problem(manager_api.delete(f"{path}/jira-links/OPS-404"), 404)


def test_a_viewer_can_neither_link_nor_unlink(viewer_api, item):
    target, path = item
    add_link(target, "OPS-1", None)
    assert_problem(viewer_api.post(f"{path}/jira-links", json={"key": "OPS-2"}), 403)
    assert_problem(viewer_api.delete(f"{path}/jira-links/OPS-1"), 403)
    assert [link.ticket.key for link in links_of(target)] == ["OPS-1"]


def test_a_manager_cannot_link_to_another_teams_items(manager_api, factory, search):
    other = factory.risk(team=search)
    response = manager_api.post(f"/api/v1/risks/{other.key}/jira-links", json={"key": "OPS-1"})
    assert_problem(response, 403)


@pytest.mark.parametrize(
    "path", ["/api/v1/risks/RISK-9/jira-links", "/api/v1/mitigations/9/jira-links"]
)
def test_linking_to_an_unknown_item_is_404(manager_api, path):
    assert_problem(manager_api.post(path, json={"key": "OPS-1"}), 404)
