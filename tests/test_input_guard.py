"""Undecodable input is the request's mistake: 400 or 404 with a message, never a 500, and
nothing written (tracker/input_guard.py). Run on SQLite and PostgreSQL, which refuses a NUL in
text and an integer past its range."""

from __future__ import annotations

import html
import json

import pytest
import sqlalchemy as sa

from tests.api.conftest import ApiClient, token_for
from tracker.extensions import db
from tracker.input_guard import MAX_JSON_DEPTH
from tracker.models import Risk

HUGE = "99999999999999999999999"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def risk_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Risk))


def test_a_nul_in_the_sign_in_form_is_refused_with_a_message(client, admin):
    response = client.post("/login", data={"email": "admin@example.com\x00", "password": "x"})
    assert response.status_code == 400
    assert "The field 'email' contains a NUL character" in page_text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/risks?q=%00",
        "/risks?team=a%00b",
        "/risks?sort=%00",
        "/incidents?q=x%00",
        "/my-teams?%00=1",
    ],
)
def test_a_nul_in_the_query_string_is_refused(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/teams/pay%00ments", "/risks/RISK-1%00"])
def test_a_nul_in_the_address_is_refused(admin_client, path):
    assert admin_client.get(path).status_code == 400


def test_invalid_utf8_in_a_query_string_or_form_is_read_as_replacement_characters(
    admin_client, manager
):
    assert admin_client.get("/risks?q=%ff%fe").status_code == 200
    before = risk_count()
    response = admin_client.post(
        "/risks/new",
        data="title=%ff%ed%a0%80&category=infrastructure",
        content_type="application/x-www-form-urlencoded",
    )
    # The form again, saying what is missing.
    assert response.status_code == 400
    assert "Save risk" in page_text(response)
    assert risk_count() == before


def test_a_nul_in_a_form_field_changes_nothing(admin_client, manager):
    before = risk_count()
    response = admin_client.post(
        "/risks/new",
        data={
            "title": "Primary\x00 database",
            "category": "infrastructure",
            "team": "payments",
            "likelihood": "3",
            "impact": "3",
        },
    )
    assert response.status_code == 400
    assert "The field 'title' contains a NUL character" in page_text(response)
    assert risk_count() == before


@pytest.fixture
def api(app, admin):
    return ApiClient(app.test_client(), token_for(admin))


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"title": "a\\u0000b"}', "JSON value at 'title'"),
        ('{"title": "\\ud800"}', "lone surrogate"),
        ('{"ti\\u0000tle": "x"}', "A key of the JSON object at the top"),
        ('{"tags": ["ok", "\\udfff"]}', "JSON value at 'tags'[1]"),
    ],
)
def test_unstorable_text_in_a_json_body_is_a_problem_naming_it(api, manager, body, where):
    before = risk_count()
    response = api.post("/api/v1/risks", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert where in response.get_json()["detail"]
    assert risk_count() == before


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_too_deep_is_refused(api, manager, depth):
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/v1/risks", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert f"nested more than {MAX_JSON_DEPTH} levels" in response.get_json()["detail"]


def test_json_within_the_depth_limit_reaches_the_view(api, manager):
    body = {"title": "Nested", "tags": [[[]]]}
    response = api.post("/api/v1/risks", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422  # the view's own answer: tags are strings


def test_a_nul_in_an_api_query_string_is_a_problem(api):
    response = api.get("/api/v1/risks?q=a%00")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/risks/RISK-99999999999999999999",
        f"/mitigations/{HUGE}",
        f"/mitigations/{HUGE}/edit",
        f"/incidents/INC-{HUGE}",
        f"/reviews/{HUGE}",
        f"/jira/syncs/{HUGE}",
        f"/admin/users/{HUGE}",
        "/mitigations/2147483648",
        "/mitigations/0000000001",
    ],
)
def test_an_id_past_the_database_integer_is_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/mitigations/{HUGE}",
        "/api/v1/risks/RISK-99999999999999999999",
        f"/api/v1/incidents/INC-{HUGE}",
    ],
)
def test_an_api_id_past_the_database_integer_is_a_not_found_problem(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("method", ["GET", "PATCH", "POST", "DELETE"])
def test_a_huge_id_is_not_found_whatever_the_method(api, method):
    response = api.open(method, f"/api/v1/mitigations/{HUGE}", json={})
    assert response.status_code == 404


def test_a_post_to_a_huge_id_is_not_found(admin_client):
    response = admin_client.post(f"/mitigations/{HUGE}/quick", data={"status": "done"})
    assert response.status_code == 404


@pytest.mark.parametrize("version", [str(2**64), str(-(2**63) - 1)])
def test_a_form_version_past_the_column_is_a_conflict_not_a_crash(admin_client, factory, version):
    risk = factory.risk(title="Primary database has no failover")
    response = admin_client.post(
        f"/risks/{risk.key}/edit",
        data={
            "version": version,
            "title": "Changed",
            "category": "infrastructure",
            "team": risk.team.slug,
            "owner": "",
            "treatment": "mitigate",
            "likelihood": "3",
            "impact": "3",
            "residual_likelihood": "",
            "residual_impact": "",
        },
    )
    assert response.status_code == 409  # shown what changed since, the input kept
    assert db.session.get(Risk, risk.id).title == "Primary database has no failover"


def test_a_review_assignee_id_past_the_column_is_nobody(admin_client, admin, factory):
    from tracker.reviews.services import start_review

    risk = factory.risk()
    review = start_review(admin)
    response = admin_client.post(
        f"/reviews/{review.id}/decisions",
        data={"risk_key": risk.key, "kind": "assign", "assignee": str(2**64)},
        follow_redirects=True,
    )
    assert response.status_code < 500
    assert f"No active user is '{2**64}'" in page_text(response)
