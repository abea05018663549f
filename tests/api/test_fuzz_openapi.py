"""Fuzz the API from its own OpenAPI document (schemathesis) against a live local server.

Stateless and bounded: a few deterministic examples per operation, valid and invalid, sent
over HTTP with an admin's token. No answer may be a 5xx, and every answer must be documented:
its status, content type, headers and body. API_FUZZ_EXAMPLES raises the count for a longer
local run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from tests.api.conftest import token_for
from tracker.incidents.services import create_incident, link_risk
from tracker.jira.links import add_link
from tracker.mitigations.services import add_mitigation

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
CONFIG = schemathesis.Config.from_dict({"generation": {"deterministic": True, "database": "none"}})
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def live_api(app, factory, manager) -> Iterator[tuple[str, str, dict]]:
    """The app on 127.0.0.1 and a free port, with a risk and a mitigation linked to Jira and
    an incident that materialised the risk: (base URL, an admin's token, their keys and id)."""
    admin = factory.user(email="fuzz-admin@example.com", role="admin")
    risk = factory.risk(team=manager.teams[0], owner=manager, tags=["postgres"])
    mitigation = add_mitigation(
        risk, {"title": "Add a replica", "team": "payments", "due_date": "2026-04-01"}, None
    )
    add_link(risk, "OPS-1", None)
    add_link(mitigation, "OPS-2", None)
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    incident = create_incident(
        {
            "title": "Checkout down",
            "severity": "sev2",
            "team": "payments",
            "started_at": start,
            "resolved_at": start + timedelta(hours=1),
            "impact_minutes": 20,
        },
        None,
    )
    link_risk(incident, risk, None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    yield (
        base_url,
        token_for(admin),
        {
            "key": risk.key,
            "incident_key": incident.key,
            "mitigation_id": mitigation.id,
        },
    )
    server.shutdown()
    thread.join(timeout=10)


# Bodies that create something: random teams and categories do not exist.
VALID_BODIES = {
    "POST /api/v1/risks": {
        "title": "Fuzzed",
        "category": "infrastructure",
        "team": "payments",
        "likelihood": 3,
        "impact": 4,
    },
    "POST /api/v1/risks/{key}/mitigations": {
        "title": "Fuzzed",
        "team": "payments",
        "due_date": "2026-05-01",
    },
    "POST /api/v1/incidents": {
        "title": "Fuzzed",
        "severity": "sev3",
        "team": "payments",
        "started_at": "2026-03-01T10:00:00Z",
        "impact_minutes": 5,
    },
}


def fixed_parameters(operation, existing: dict) -> dict:
    """Path parameters of resources that exist, If-Match "*" and bodies that create, so
    requests get past 404, 412 and 422 and the successes are checked too."""
    known = {
        # {key} names an incident under /incidents, a risk elsewhere.
        "key": existing["incident_key" if "/incidents/" in operation.path else "key"],
        "risk_key": existing["key"],
        "mitigation_id": existing["mitigation_id"],
        "jira_key": "OPS-1",
    }
    names = {parameter.name for parameter in operation.path_parameters}
    fixed: dict = {"path_parameters": {name: known[name] for name in names}}
    if any(parameter.name == "If-Match" for parameter in operation.headers):
        fixed["headers"] = {"If-Match": "*"}
    if operation.label in VALID_BODIES:
        fixed["body"] = VALID_BODIES[operation.label]
    return fixed


def fuzz(operation, strategy, base_url: str, token: str) -> None:
    """Send `operation` the cases `strategy` draws; raise on the first that fails a check."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            checks=CHECKS,
            timeout=10,
        )

    run()


def test_every_answer_is_documented_and_none_is_a_server_error(live_api):
    base_url, token, existing = live_api
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=CONFIG)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
            operation.as_strategy(GenerationMode.POSITIVE, **fixed_parameters(operation, existing)),
        ]
        for strategy in strategies:
            try:
                fuzz(operation, strategy, base_url, token)
            except Unsatisfiable:
                continue  # nothing invalid to send (no parameters, no body)
            except Exception as exc:  # collect them all: one report for the whole API
                failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
