"""/api/v1/risks: the register, one risk with its mitigations and links, create, change."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from tracker import clock
from tracker.accounts import services as accounts
from tracker.api import bodies, presenters, queries, requests, schemas
from tracker.api.blueprint import api_user, bp
from tracker.api.problems import ApiProblem, invalid
from tracker.api.spec import (
    ETAG_HEADER,
    LOCATION_HEADER,
    PATCH_PROBLEMS,
    WRITE_PROBLEMS,
    operation,
)
from tracker.edits import save_as_asked
from tracker.incidents.materialised import (
    Materialised,
    materialised_for,
    materialised_last_year,
)
from tracker.jira import queries as jira_queries
from tracker.models import Risk, User
from tracker.risks import permissions, services
from tracker.risks import settings as scoring_settings
from tracker.risks.fields import FieldError, parse_date
from tracker.risks.queries import RegisterFilter

# What a status change reads; a status change goes alone (one use case, one commit).
STATUS_CHANGE_FIELDS = {"status", "reason", "approver", "expires_on"}
NOT_FOUND = {"HTTP_404": schemas.Problem}


def load_risk(key: str) -> Risk:
    """The risk with its mitigations and links loaded; 404 when no risk has the key."""
    risk = queries.risk_with_mitigations(key)
    if risk is None:
        raise ApiProblem(404, f"No risk has the key {key!r}.")
    return risk


def risk_response(key: str, status: int = 200, headers: dict[str, str] | None = None):
    """The risk resource, freshly read, with its ETag."""
    risk = load_risk(key)
    resource = presenters.risk_detail(
        risk,
        scoring_settings.current(),
        materialised_for(risk.id, clock.now()),
        queries.links_by_item(risk),
        jira_queries.flags_for_risk(risk),
    )
    return presenters.json_response(
        resource, status, {"ETag": requests.etag(risk.version), **(headers or {})}
    )


def register_view(args: schemas.RiskListQuery) -> RegisterFilter:
    """The register's filter for the API's query (the API names its sorts by field)."""
    sort = args.sort.lstrip("-")
    descending = args.sort.startswith("-")
    filters = {
        name: getattr(args, name)
        for name in ("team", "status", "band", "category", "owner", "tag", "q")
        if getattr(args, name)
    }
    return RegisterFilter.from_args(
        {
            **filters,
            "sort": ("-" if descending else "") + schemas.RISK_SORTS[sort],
            "page": str(args.page),
        }
    )


@bp.get("/risks")
@operation("risks", query=schemas.RiskListQuery, responses={"HTTP_200": schemas.RiskPage})
def list_risks():
    """List risks

    The register (archived risks left out), filtered and sorted as on the Risks page, a page
    at a time. A page past the last one is empty.
    """
    args = requests.query(schemas.RiskListQuery)
    settings = scoring_settings.current()
    page = queries.risk_page(
        register_view(args),
        settings,
        clock.today(),
        current_app.config["DUE_SOON_DAYS"],
        args.per_page,
    )
    records = materialised_last_year([risk.id for risk in page.items], clock.now())
    resource = presenters.page_of(
        schemas.RiskPage,
        page,
        lambda risk: presenters.risk(risk, settings, records.get(risk.id, Materialised())),
    )
    return presenters.json_response(resource)


@bp.post("/risks")
@operation(
    "risks",
    json=bodies.RiskCreate,
    responses={"HTTP_201": schemas.RiskDetail, **WRITE_PROBLEMS},
    response_headers={201: {**LOCATION_HEADER, **ETAG_HEADER}},
)
def create_risk():
    """Create a risk

    It starts open; the residual is not assessed (null) unless both residual levels are given,
    and the next review defaults to the band's cadence. Managers create risks for their own teams.
    """
    user = api_user()
    if not permissions.can_create_risks(user):
        raise ApiProblem(403, "Only admins, and managers of a team, create risks.")
    risk = services.create_risk(requests.body(bodies.RiskCreate, schemas.RiskDetail), user)
    location = url_for("api.get_risk", key=risk.key)
    return risk_response(risk.key, 201, {"Location": location})


@bp.get("/risks/<key>")
@operation(
    "risks",
    responses={"HTTP_200": schemas.RiskDetail, **NOT_FOUND},
    response_headers={200: ETAG_HEADER},
)
def get_risk(key: str):
    """Get a risk

    With its mitigations and the Jira links of both. The ETag carries its version.
    """
    return risk_response(key)


@bp.patch("/risks/<key>")
@operation(
    "risks",
    json=bodies.RiskUpdate,
    headers=schemas.IfMatch,
    response_headers={200: ETAG_HEADER},
    responses={
        "HTTP_200": schemas.RiskDetail,
        **PATCH_PROBLEMS,
    },
)
def update_risk(key: str):
    """Change a risk

    Send only the fields to change, with If-Match. A score change needs a `reason`. A status
    change goes in a request of its own: `status` with `reason` (needed to reopen or close),
    and `approver` and `expires_on` to accept.
    """
    user = api_user()
    risk = load_risk(key)
    if not permissions.can_edit(user, risk):
        raise ApiProblem(403, permissions.refusal(user, risk.team, risk.key))
    expected = requests.expected_version(risk.version)
    fields = requests.body(bodies.RiskUpdate, schemas.RiskDetail)
    if "status" not in fields:
        _refuse_without_status(fields, {"approver", "expires_on"})

    def save(current: Risk) -> None:
        if "status" in fields:
            _change_status(current, fields, user, expected)
        else:
            changes = {name: value for name, value in fields.items() if name != "reason"}
            reason = fields.get("reason") or ""
            services.update_risk(current, changes, user, expected_version=expected, reason=reason)

    save_as_asked(risk, expected, lambda: load_risk(key), save)
    return risk_response(risk.key)


def _refuse_without_status(fields: dict[str, Any], names: set[str]) -> None:
    errors = {name: "Only with a status change." for name in names if name in fields}
    if errors:
        raise invalid(errors)


def _change_status(risk: Risk, fields: dict[str, Any], user: User, expected: int | None):
    others = sorted(set(fields) - STATUS_CHANGE_FIELDS)
    if others:
        raise invalid(
            {"status": f"Change the status in a request of its own, without {', '.join(others)}."}
        )
    services.change_status(
        risk,
        fields["status"],
        user,
        reason=fields.get("reason") or "",
        approver=_approver(fields.get("approver")),
        expires_on=_expiry(fields.get("expires_on")),
        expected_version=expected,
    )


def _approver(email: str | None) -> User | None:
    """The approver named by email, if they may approve (the risk page's rule)."""
    if not email:
        return None
    user = accounts.find_user(email)
    if user is None:
        raise invalid({"approver": f"No user has the email {email!r}."})
    if not permissions.can_approve_acceptance(user):
        raise invalid({"approver": "Name an active admin or manager."})
    return user


def _expiry(text: str | None):
    if not text:
        return None
    try:
        return parse_date(text, "acceptance expiry date")
    except FieldError as exc:
        raise invalid({"expires_on": str(exc)}) from None
