"""Problem details (RFC 9457): every error the API answers, as application/problem+json.

Services raise ValidationError, PermissionDenied and StaleVersion; the handlers here turn them
into 422, 403 and 412 problems, so views only call the services.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from tracker.errors import DATABASE_UNAVAILABLE, handle_database_unavailable
from tracker.extensions import db
from tracker.request_log import request_id
from tracker.validation import PermissionDenied, StaleVersion, ValidationError

PROBLEM_MIMETYPE = "application/problem+json"

log = logging.getLogger(__name__)


class ApiProblem(HTTPException):
    """An error answered as a problem: status, a detail saying what to do, and for 422 the
    message for each bad field."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.code = status
        self.detail = detail
        self.errors = errors
        self.extra_headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem document for `status` ("about:blank" types: the title is the status's)."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    response.headers.update(headers or {})
    return response


def invalid(errors: dict[str, str]) -> ApiProblem:
    """422 naming each bad field."""
    fields = ", ".join(errors)
    return ApiProblem(422, f"Some fields are not right ({fields}); see errors.", errors)


def _on_problem(problem: ApiProblem) -> Response:
    return problem_response(problem.code, problem.detail, problem.errors, problem.extra_headers)


def _on_validation_error(error: ValidationError) -> Response:
    db.session.rollback()
    return _on_problem(invalid(error.errors))


def _on_permission_denied(error: PermissionDenied) -> Response:
    db.session.rollback()
    return problem_response(403, str(error) or "Your role or teams do not allow this.")


def _on_stale_version(stale: StaleVersion) -> Response:
    db.session.rollback()
    changed = ", ".join(sorted({change.label for change in stale.changes})) or "it"
    return problem_response(
        412,
        f"It changed since the version in If-Match ({changed}); GET it again and retry with "
        "its ETag.",
    )


def _on_http_error(error: HTTPException) -> Response:
    headers = (
        {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    )
    return problem_response(error.code or 500, error.description or error.name, headers=headers)


def _on_unexpected_error(error: Exception) -> Response:
    db.session.rollback()
    log.exception(
        "Unhandled error on %s %s (request %s)", request.method, request.path, request_id()
    )
    return problem_response(500, "Something went wrong on our side. It has been logged.")


def register(bp: Blueprint) -> None:
    """Answer every error of `bp`'s views as problem JSON: the services' refusals, the API's
    own problems, HTTP errors (413 from a large body, …) and crashes.

    An unreachable database is a 503, as on the pages (tracker.errors). Routing's 404 and 405
    happen before any view is chosen; tracker.errors answers those, also as problem JSON under
    /api/.
    """
    bp.register_error_handler(Exception, _on_unexpected_error)
    bp.register_error_handler(HTTPException, _on_http_error)
    bp.register_error_handler(ApiProblem, _on_problem)
    bp.register_error_handler(ValidationError, _on_validation_error)
    bp.register_error_handler(PermissionDenied, _on_permission_denied)
    bp.register_error_handler(StaleVersion, _on_stale_version)
    # Else the handler for Exception above would answer an unreachable database with a 500.
    for error in DATABASE_UNAVAILABLE:
        bp.register_error_handler(error, handle_database_unavailable)
