"""GET /api/v1/teams, /api/v1/sync-runs and the OpenAPI document."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import assert_problem
from tracker.api import bodies
from tracker.extensions import db
from tracker.incidents.fields import EDITABLE_FIELDS as INCIDENT_FIELDS
from tracker.mitigations.fields import EDITABLE_FIELDS as MITIGATION_FIELDS
from tracker.mitigations.fields import FOLLOW_UP_FIELDS
from tracker.models import SyncRun
from tracker.risks.fields import EDITABLE_FIELDS as RISK_FIELDS

# Teams


def test_teams_are_listed_by_name(viewer_api, factory):
    factory.team("search", "Search")
    factory.team("payments", "Payments")

    body = viewer_api.get("/api/v1/teams").get_json()

    assert body["items"] == [
        {"slug": "payments", "name": "Payments"},
        {"slug": "search", "name": "Search"},
    ]
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 2)


def test_teams_are_paged(viewer_api, factory):
    for n in range(3):
        factory.team(f"team-{n}", f"Team {n}")
    body = viewer_api.get("/api/v1/teams?per_page=2&page=2").get_json()
    assert [team["slug"] for team in body["items"]] == ["team-2"]
    assert body["total"] == 3


def test_teams_refuse_a_bad_page(viewer_api):
    assert "per_page" in assert_problem(viewer_api.get("/api/v1/teams?per_page=500"), 422)["errors"]


# Sync runs


def add_run(**fields) -> SyncRun:
    run = SyncRun(**fields)
    db.session.add(run)
    db.session.commit()
    return run


def test_sync_runs_are_listed_newest_first(admin_api):
    start = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    add_run(started_at=start, status="failed", error="Jira said 401.")
    add_run(
        started_at=start + timedelta(days=1),
        finished_at=start + timedelta(days=1, seconds=42),
        status="partial",
        tickets_read=10,
        problems=json.dumps(["OPS-1…OPS-9: timed out"]),
    )

    body = admin_api.get("/api/v1/sync-runs").get_json()

    newest, oldest = body["items"]
    assert newest["status"] == "partial"
    assert newest["duration_seconds"] == 42
    assert newest["problems"] == ["OPS-1…OPS-9: timed out"]
    assert newest["started_at"] == "2026-03-02T02:00:00Z"
    assert (oldest["error"], oldest["finished_at"], oldest["problems"]) == (
        "Jira said 401.",
        None,
        [],
    )
    assert body["total"] == 2


@pytest.mark.parametrize("client", ["manager_api", "viewer_api"])
def test_only_admins_see_sync_runs(request, client):
    assert_problem(request.getfixturevalue(client).get("/api/v1/sync-runs"), 403)


# The OpenAPI document


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_document_is_openapi_3_1_with_every_endpoint(document):
    assert document["openapi"] == "3.1.0"
    assert {path: sorted(operations) for path, operations in document["paths"].items()} == {
        "/api/v1/risks": ["get", "post"],
        "/api/v1/risks/{key}": ["get", "patch"],
        "/api/v1/risks/{key}/mitigations": ["post"],
        "/api/v1/mitigations/{mitigation_id}": ["get", "patch"],
        "/api/v1/risks/{key}/jira-links": ["post"],
        "/api/v1/risks/{key}/jira-links/{jira_key}": ["delete"],
        "/api/v1/mitigations/{mitigation_id}/jira-links": ["post"],
        "/api/v1/mitigations/{mitigation_id}/jira-links/{jira_key}": ["delete"],
        "/api/v1/incidents": ["get", "post"],
        "/api/v1/incidents/{key}": ["get", "patch"],
        "/api/v1/incidents/{key}/risks": ["post"],
        "/api/v1/incidents/{key}/risks/{risk_key}": ["delete"],
        "/api/v1/teams": ["get"],
        "/api/v1/sync-runs": ["get"],
        "/api/v1/dashboard": ["get"],
        "/api/v1/delivery": ["get"],
        "/api/v1/error-budget": ["get"],
        "/api/v1/roadmap": ["get"],
        "/api/v1/openapi.json": ["get"],
    }


def test_every_operation_but_the_document_needs_the_bearer_token(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token: Authorization: Bearer art_…",
    }
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert "security" not in document["paths"]["/api/v1/risks"]["get"]


def test_errors_are_documented_as_problem_json(document):
    responses = document["paths"]["/api/v1/risks/{key}"]["patch"]["responses"]
    assert {"401", "403", "404", "412", "415", "422", "428"} <= set(responses)
    problem = responses["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/ValidationProblem"}
    assert "application/json" in responses["200"]["content"]


def test_etag_location_and_if_match_are_documented(document):
    create = document["paths"]["/api/v1/risks"]["post"]
    assert set(create["responses"]["201"]["headers"]) == {"Location", "ETag"}
    patch = document["paths"]["/api/v1/mitigations/{mitigation_id}"]["patch"]
    [if_match] = [p for p in patch["parameters"] if p["in"] == "header"]
    assert (if_match["name"], if_match["required"]) == ("If-Match", True)


def test_the_list_documents_its_filters_and_sorts(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/risks"]["get"]["parameters"]}
    assert set(parameters) == {
        "page",
        "per_page",
        "team",
        "status",
        "band",
        "category",
        "owner",
        "tag",
        "q",
        "sort",
    }
    assert parameters["per_page"]["schema"]["maximum"] == 200
    assert "-bad_minutes_per_year" in parameters["sort"]["schema"]["enum"]


def test_the_request_bodies_name_the_services_fields():
    """The bodies take exactly the fields the services edit (plus what a change reads)."""
    assert set(bodies.RiskCreate.model_fields) == set(RISK_FIELDS)
    assert set(bodies.RiskUpdate.model_fields) == set(RISK_FIELDS) | {
        "reason",
        "status",
        "approver",
        "expires_on",
    }
    follow_up = set(FOLLOW_UP_FIELDS)
    assert set(bodies.MitigationCreate.model_fields) == set(MITIGATION_FIELDS) | follow_up | {
        "follow_jira"
    }
    assert set(bodies.MitigationUpdate.model_fields) == set(MITIGATION_FIELDS) | follow_up | {
        "follow_jira",
        "reason",
        "note",
    }


def test_the_incident_bodies_name_the_services_fields():
    assert set(bodies.IncidentCreate.model_fields) == set(INCIDENT_FIELDS)
    assert set(bodies.IncidentUpdate.model_fields) == set(INCIDENT_FIELDS) | {"status", "reason"}


def test_required_body_fields_are_documented_without_defaults(document):
    create = document["components"]["schemas"]["RiskCreate"]
    assert create["required"] == ["title", "category", "team", "likelihood", "impact"]
    assert create["additionalProperties"] is False
    assert all("default" not in prop for prop in create["properties"].values())
