"""Who gets in (a live bearer token, nothing else) and how every error reads (problem JSON)."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, assert_problem, token_for
from tests.conftest import signed_in_client
from tracker.api import tokens
from tracker.extensions import db

PROTECTED = [
    ("GET", "/api/v1/risks"),
    ("POST", "/api/v1/risks"),
    ("GET", "/api/v1/risks/RISK-1"),
    ("PATCH", "/api/v1/risks/RISK-1"),
    ("POST", "/api/v1/risks/RISK-1/mitigations"),
    ("GET", "/api/v1/mitigations/1"),
    ("PATCH", "/api/v1/mitigations/1"),
    ("POST", "/api/v1/risks/RISK-1/jira-links"),
    ("DELETE", "/api/v1/risks/RISK-1/jira-links/OPS-1"),
    ("POST", "/api/v1/mitigations/1/jira-links"),
    ("DELETE", "/api/v1/mitigations/1/jira-links/OPS-1"),
    ("GET", "/api/v1/teams"),
    ("GET", "/api/v1/sync-runs"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_without_a_token_every_endpoint_answers_401(client, method, path):
    response = client.open(path, method=method, json={})
    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", ["Bearer art_not-a-real-token", "Bearer", "Basic dXNlcjpwdw==", "art_x"]
)
def test_a_bad_or_malformed_token_answers_401(client, admin, authorization):
    response = client.get("/api/v1/risks", headers={"Authorization": authorization})
    assert_problem(response, 401)


def test_a_revoked_token_answers_401(client, admin):
    token, plain = tokens.create_token(admin, "script")
    assert ApiClient(client, plain).get("/api/v1/teams").status_code == 200
    tokens.revoke_token(token)

    response = ApiClient(client, plain).get("/api/v1/teams")

    body = assert_problem(response, 401)
    assert "revoked" in body["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_deactivated_users_token_answers_401(client, factory):
    user = factory.user(role="admin")
    api = ApiClient(client, token_for(user))
    user.active = False
    db.session.commit()
    assert_problem(api.get("/api/v1/teams"), 401)


def test_the_scheme_name_is_case_insensitive(client, admin):
    plain = token_for(admin)
    response = client.get("/api/v1/teams", headers={"Authorization": f"bearer {plain}"})
    assert response.status_code == 200


def test_a_browser_session_alone_does_not_authenticate(app, admin):
    browser = signed_in_client(app, admin)
    assert browser.get("/").status_code == 200  # the session itself works

    assert_problem(browser.get("/api/v1/teams"), 401)
    assert_problem(browser.post("/api/v1/risks", json={"title": "x"}), 401)


def test_a_session_does_not_lend_its_user_to_another_users_token(app, admin, viewer):
    browser = signed_in_client(app, admin)
    api = ApiClient(browser, token_for(viewer))
    response = api.post("/api/v1/risks", json={"title": "x"})
    assert_problem(response, 403)


def test_writes_need_no_csrf_token_with_a_bearer_token(app, admin_api, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    factory.team("core")
    response = admin_api.post(
        "/api/v1/risks",
        json={
            "title": "T",
            "category": "infrastructure",
            "team": "core",
            "likelihood": 1,
            "impact": 1,
        },
    )
    assert response.status_code == 201


def test_the_openapi_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


# Errors are problem JSON, never a page


def test_unknown_path_is_a_404_problem(admin_api):
    assert_problem(admin_api.get("/api/v1/nothing-here"), 404)


def test_unknown_risk_is_a_404_problem(admin_api):
    body = assert_problem(admin_api.get("/api/v1/risks/RISK-404"), 404)
    assert "RISK-404" in body["detail"]


def test_wrong_method_is_a_405_problem(admin_api):
    response = admin_api.delete("/api/v1/risks")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ('{"likelihood": NaN}', "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('"a string"', "JSON object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_problem(admin_api, data, detail):
    response = admin_api.post("/api/v1/risks", data=data, content_type="application/json")
    assert detail in assert_problem(response, 400)["detail"]


def test_a_body_that_is_not_json_is_a_415_problem(admin_api):
    response = admin_api.post("/api/v1/risks", data={"title": "x"})
    assert "application/json" in assert_problem(response, 415)["detail"]


@pytest.mark.app_config(MAX_CONTENT_LENGTH=100)
def test_a_body_too_large_is_a_413_problem(admin_api):
    response = admin_api.post("/api/v1/risks", json={"title": "x" * 200})
    assert_problem(response, 413)


def test_an_unexpected_failure_is_a_500_problem(app, admin_api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("tracker.api.queries.teams", broken)
    body = assert_problem(admin_api.get("/api/v1/teams"), 500)
    assert "boom" not in body["detail"]
