"""/api/v1/incidents: list, record, read and change incidents, and link the risks they
materialised."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, current_app, url_for
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.api import bodies, presenters, queries, requests, schemas
from tracker.api.blueprint import api_user, bp
from tracker.api.problems import ApiProblem, invalid
from tracker.api.risks import NOT_FOUND
from tracker.api.spec import ETAG_HEADER, LOCATION_HEADER, PATCH_PROBLEMS, WRITE_PROBLEMS, operation
from tracker.extensions import db
from tracker.incidents import permissions, services
from tracker.incidents import queries as incident_queries
from tracker.incidents.keys import parse_incident_key
from tracker.incidents.settings import severities
from tracker.models import Incident
from tracker.risks.queries import risk_by_key as find_risk

LINK_RESPONSES = {"HTTP_201": schemas.IncidentOut, **NOT_FOUND, **WRITE_PROBLEMS}
UNLINK_RESPONSES = {"HTTP_204": None, **NOT_FOUND, "HTTP_403": schemas.Problem}


def _with_resource_relations(query: sa.Select) -> sa.Select:
    return incident_queries.with_list_relations(query).options(selectinload(Incident.follow_ups))


def load_incident(key: str) -> Incident:
    """The incident with what its resource shows loaded; 404 when no incident has the key."""
    number = parse_incident_key(key)
    incident = None
    if number is not None:
        incident = db.session.scalar(
            _with_resource_relations(sa.select(Incident).where(Incident.number == number))
        )
    if incident is None:
        raise ApiProblem(404, f"No incident has the key {key!r}.")
    return incident


def incident_response(key: str, status: int = 200, headers: dict[str, str] | None = None):
    """The incident resource, freshly read, with its ETag."""
    db.session.expire_all()
    incident = load_incident(key)
    resource = presenters.incident(incident, clock.now())
    return presenters.json_response(
        resource, status, {"ETag": requests.etag(incident.version), **(headers or {})}
    )


def _editable(key: str) -> Incident:
    incident = load_incident(key)
    if not permissions.can_edit(api_user(), incident):
        raise ApiProblem(403, "You can change only the incidents of your own teams.")
    return incident


@bp.get("/incidents")
@operation(
    "incidents", query=schemas.IncidentListQuery, responses={"HTTP_200": schemas.IncidentPage}
)
def list_incidents():
    """List incidents

    Latest start first, filtered as on the Incidents page, a page at a time. A page past the
    last one is empty.
    """
    args = requests.query(schemas.IncidentListQuery)
    if args.severity and args.severity.lower() not in severities():
        raise invalid({"severity": f"Use one of {', '.join(severities())}."})
    filters = {
        name: str(getattr(args, name))
        for name in ("team", "severity", "status", "since", "until", "service", "q")
        if getattr(args, name)
    }
    view = incident_queries.IncidentFilter.from_args(filters, severities())
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    query = _with_resource_relations(incident_queries.filtered(view, zone))
    page = queries.paged(query, args.page, args.per_page)
    now = clock.now()
    resource = presenters.page_of(
        schemas.IncidentPage, page, lambda item: presenters.incident(item, now)
    )
    return presenters.json_response(resource)


@bp.post("/incidents")
@operation(
    "incidents",
    json=bodies.IncidentCreate,
    responses={"HTTP_201": schemas.IncidentOut, **WRITE_PROBLEMS},
    response_headers={201: {**LOCATION_HEADER, **ETAG_HEADER}},
)
def create_incident():
    """Record an incident

    It starts open. Managers record incidents for their own teams.
    """
    user = api_user()
    if not permissions.can_report(user):
        raise ApiProblem(403, "Only admins, and managers of a team, record incidents.")
    incident = services.create_incident(
        requests.body(bodies.IncidentCreate, schemas.IncidentOut), user
    )
    location = url_for("api.get_incident", key=incident.key)
    return incident_response(incident.key, 201, {"Location": location})


@bp.get("/incidents/<key>")
@operation(
    "incidents",
    responses={"HTTP_200": schemas.IncidentOut, **NOT_FOUND},
    response_headers={200: ETAG_HEADER},
)
def get_incident(key: str):
    """Get an incident

    With the keys of its risks and the ids of its follow-ups. The ETag carries its version.
    """
    return incident_response(key)


@bp.patch("/incidents/<key>")
@operation(
    "incidents",
    json=bodies.IncidentUpdate,
    headers=schemas.IfMatch,
    response_headers={200: ETAG_HEADER},
    responses={"HTTP_200": schemas.IncidentOut, **PATCH_PROBLEMS},
)
def update_incident(key: str):
    """Change an incident

    Send only the fields to change, with If-Match. `status` moves it open → reviewing →
    closed; going back needs a `reason`.
    """
    incident = _editable(key)
    expected = requests.expected_version(incident.version)
    fields = requests.body(bodies.IncidentUpdate, schemas.IncidentOut)
    reason = fields.pop("reason", None) or ""
    services.update_incident(incident, fields, api_user(), expected_version=expected, reason=reason)
    return incident_response(incident.key)


@bp.post("/incidents/<key>/risks")
@operation("incidents", json=bodies.RiskLinkCreate, responses=LINK_RESPONSES)
def link_incident_risk(key: str):
    """Link a risk the incident materialised

    Answers with the incident, its risks included.
    """
    incident = _editable(key)
    risk_key = requests.body(bodies.RiskLinkCreate, schemas.IncidentOut).get("key") or ""
    risk = find_risk(risk_key)
    if risk is None:
        raise invalid({"key": f"No risk has the key {risk_key!r}."})
    services.link_risk(incident, risk, api_user())
    location = url_for("api.get_incident", key=incident.key)
    return incident_response(incident.key, 201, {"Location": location})


@bp.delete("/incidents/<key>/risks/<risk_key>")
@operation("incidents", responses=UNLINK_RESPONSES)
def unlink_incident_risk(key: str, risk_key: str):
    """Unlink a risk from an incident

    Refused (422) while the incident has follow-ups on that risk.
    """
    incident = _editable(key)
    risk = find_risk(risk_key)
    if risk is None or risk not in incident.risks:
        raise ApiProblem(404, f"{risk_key!r} is not linked to {incident.key}.")
    services.unlink_risk(incident, risk, api_user())
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, so no media type
    return response
