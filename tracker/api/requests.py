"""Reading requests: the JSON body, the query string, If-Match, and the bearer token.

Everything here refuses with an ApiProblem (400, 401, 412, 415, 422, 428); nothing here knows
a business rule.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import Request, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from tracker.api.bodies import Body
from tracker.api.problems import ApiProblem, invalid

M = TypeVar("M", bound=BaseModel)

BEARER = re.compile(r"^\s*Bearer\s+(\S+)\s*$", re.IGNORECASE)
ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d{1,18})"\s*')
JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def bearer_token(incoming: Request) -> str:
    """The token in `Authorization: Bearer …`; 401 when there is none."""
    match = BEARER.match(incoming.headers.get("Authorization", ""))
    if not match:
        raise ApiProblem(
            401,
            "Send a personal API token: Authorization: Bearer <token>. "
            "Create one on your API tokens page.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    return match.group(1)


def unauthorised() -> ApiProblem:
    return ApiProblem(
        401,
        "The token is not valid: it may be mistyped, revoked, or its user deactivated.",
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )


def _field_errors(error: PydanticError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "body"
        errors.setdefault(name, problem["msg"] + ".")
    return errors


def query(model: type[M]) -> M:
    """The query string read by `model`; 422 naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except PydanticError as exc:
        raise invalid(_field_errors(exc)) from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object; 415 for another media type, 400 when it is not
    JSON or not an object."""
    if not JSON_TYPE.match(request.mimetype or ""):
        raise ApiProblem(415, "Send the body as JSON with Content-Type: application/json.")
    text = request.get_data(as_text=True)
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ApiProblem(400, f"The body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, 'Send a JSON object, e.g. {"title": "…"}.')
    return body


def body(model: type[Body], resource: type[BaseModel]) -> dict[str, Any]:
    """The body's fields that `model` accepts, type-checked, as given (left-out fields are
    absent). 422 names every field that is unknown, of the wrong JSON type, or one of the
    `resource`'s fields that `model` does not accept (read-only)."""
    raw = json_object()
    read_only = set(resource.model_fields) - set(model.model_fields)
    errors = {name: "Read-only: the tracker sets it." for name in raw if name in read_only}
    unknown = sorted(set(raw) - set(model.model_fields) - read_only)
    writable = ", ".join(model.model_fields)
    errors.update({name: f"Unknown field; the fields here are {writable}." for name in unknown})
    if errors:
        raise invalid(errors)
    try:
        return model.model_validate(raw).model_dump(exclude_unset=True)
    except PydanticError as exc:
        raise invalid(_field_errors(exc)) from None


def etag(version: int) -> str:
    """The weak entity tag of a version: it stands for the resource's state, not its bytes."""
    return f'W/"{version}"'


def expected_version(current: int) -> int | None:
    """The version the client last saw, from If-Match: 428 without it, 412 when it is not the
    current one. `*` means "whatever is current" (a deliberate overwrite): None."""
    header = request.headers.get("If-Match")
    if header is None:
        raise ApiProblem(
            428, 'Send If-Match with the ETag from your last GET, e.g. If-Match: W/"3".'
        )
    if header.strip() == "*":
        return None
    # Weak comparison (RFC 9110 § 8.8.3.2): W/"3" and "3" both name version 3.
    tags = (ENTITY_TAG.fullmatch(part) for part in header.split(","))
    versions = {int(tag.group(1)) for tag in tags if tag}
    if current not in versions:
        raise ApiProblem(
            412,
            f'It is now at version {current} (ETag W/"{current}"); GET it again, check what '
            "changed, and retry with the new ETag.",
        )
    return current


def team_filter(slug: str | None):
    """The team a `team` query parameter names, or None when it is not given; 422 naming
    `team` when no team has that slug."""
    from tracker.extensions import db
    from tracker.models import Team

    if not slug:
        return None
    team = db.session.scalar(db.select(Team).filter_by(slug=slug.strip().lower()))
    if team is None:
        raise invalid({"team": f"No team has the slug {slug!r}."})
    return team
