"""/api/v1/mitigations and /api/v1/risks/{key}/mitigations: add, read and change the work
that lowers a risk."""

from __future__ import annotations

from flask import url_for

from tracker.api import bodies, presenters, queries, requests, schemas
from tracker.api.blueprint import api_user, bp
from tracker.api.problems import ApiProblem
from tracker.api.risks import NOT_FOUND, load_risk
from tracker.api.spec import (
    ETAG_HEADER,
    LOCATION_HEADER,
    PATCH_PROBLEMS,
    WRITE_PROBLEMS,
    operation,
)
from tracker.edits import save_as_asked
from tracker.jira import links
from tracker.mitigations import permissions, services
from tracker.mitigations.queries import MAX_ID
from tracker.models import Mitigation
from tracker.risks import permissions as risk_permissions


def load_mitigation(mitigation_id: int) -> Mitigation:
    """The mitigation with its risk, team and owner; 404 when there is none."""
    mitigation = queries.mitigation(mitigation_id) if 0 < mitigation_id <= MAX_ID else None
    if mitigation is None:
        raise ApiProblem(404, f"No mitigation has the id {mitigation_id}.")
    return mitigation


def mitigation_response(
    mitigation_id: int, status: int = 200, headers: dict[str, str] | None = None
):
    """The mitigation resource, freshly read, with its ETag."""
    mitigation = load_mitigation(mitigation_id)
    resource = presenters.mitigation(mitigation, links.links_of(mitigation))
    return presenters.json_response(
        resource, status, {"ETag": requests.etag(mitigation.version), **(headers or {})}
    )


@bp.post("/risks/<key>/mitigations")
@operation(
    "mitigations",
    json=bodies.MitigationCreate,
    responses={"HTTP_201": schemas.MitigationOut, **NOT_FOUND, **WRITE_PROBLEMS},
    response_headers={201: {**LOCATION_HEADER, **ETAG_HEADER}},
)
def add_mitigation(key: str):
    """Add a mitigation to a risk

    Managers add mitigations for their own teams, to any risk. It starts planned unless a
    status is given.
    """
    risk = load_risk(key)
    fields = requests.body(bodies.MitigationCreate, schemas.MitigationOut)
    follow_jira = fields.pop("follow_jira", None)
    user = api_user()
    mitigation = services.add_mitigation(risk, fields, user)
    if follow_jira is not None:
        links.set_follow_jira(mitigation, follow_jira, user)
    location = url_for("api.get_mitigation", mitigation_id=mitigation.id)
    return mitigation_response(mitigation.id, 201, {"Location": location})


@bp.get("/mitigations/<int:mitigation_id>")
@operation(
    "mitigations",
    responses={"HTTP_200": schemas.MitigationOut, **NOT_FOUND},
    response_headers={200: ETAG_HEADER},
)
def get_mitigation(mitigation_id: int):
    """Get a mitigation

    With its Jira links. The ETag carries its version.
    """
    return mitigation_response(mitigation_id)


@bp.patch("/mitigations/<int:mitigation_id>")
@operation(
    "mitigations",
    json=bodies.MitigationUpdate,
    headers=schemas.IfMatch,
    response_headers={200: ETAG_HEADER},
    responses={
        "HTTP_200": schemas.MitigationOut,
        **PATCH_PROBLEMS,
    },
)
def update_mitigation(mitigation_id: int):
    """Change a mitigation

    Send only the fields to change, with If-Match. Moving the due date needs a `reason`
    (moving it later counts a slip); blocking needs a note saying on what.
    """
    user = api_user()
    mitigation = load_mitigation(mitigation_id)
    if not permissions.can_edit(user, mitigation):
        raise ApiProblem(403, risk_permissions.refusal(user, mitigation.team, mitigation.label))
    expected = requests.expected_version(mitigation.version)
    fields = requests.body(bodies.MitigationUpdate, schemas.MitigationOut)
    follow_jira = fields.pop("follow_jira", None)
    reason = fields.pop("reason", None) or ""
    note = fields.pop("note", None) or ""

    def save(current: Mitigation) -> None:
        services.update_mitigation(
            current, fields, user, expected_version=expected, reason=reason, note=note
        )

    if fields or note:
        mitigation = save_as_asked(
            mitigation, expected, lambda: load_mitigation(mitigation_id), save
        )
    if follow_jira is not None:
        links.set_follow_jira(mitigation, follow_jira, user)
    return mitigation_response(mitigation_id)
