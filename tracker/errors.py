"""Error pages in the site's layout (JSON under /api/ and for the health check)."""

from __future__ import annotations

import logging

from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db, login_manager
from tracker.request_log import request_id

log = logging.getLogger(__name__)

EXPLANATIONS = {
    400: "The request could not be understood.",
    401: "Sign in to continue.",
    403: "Your role does not allow this page. Ask an admin if you need access.",
    404: "There is nothing at this address. It may have been moved or never existed.",
    405: "This address does not accept that kind of request.",
    413: "What was sent is too large.",
    429: "Too many requests; wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; try again in a moment.",
    503: "The tracker cannot reach its database just now. Nothing was changed; try again in a "
    "minute, and tell whoever runs the tracker if it lasts.",
}

# What the database driver raises when the database cannot be reached (refused, gone away,
# unreadable file, pool exhausted): the request gets a 503, not a 500.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, title: str, detail: str) -> Response:
    """The error as a page in the site's layout, or as problem JSON under /api/."""
    if _wants_json():
        response = jsonify(type="about:blank", title=title, status=status, detail=detail)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    try:
        page = render_template("errors/error.html", status=status, title=title, detail=detail)
    except DATABASE_UNAVAILABLE:
        # The layout reads who is signed in (a 404 is the first to ask); without the database
        # the page is drawn as for a visitor.
        _forget_the_user()
        page = render_template("errors/error.html", status=status, title=title, detail=detail)
    return make_response(page, status)


def _forget_the_user() -> None:
    # Closing the session gives its connection back; the pool discards it if it is dead.
    db.session.remove()
    g._login_user = login_manager.anonymous_user()


def handle_http_error(error: HTTPException):
    status = error.code or 500
    # A description given to abort() says what was wrong with this request; keep it.
    told = error.description and error.description != type(error).description
    detail = error.description if told else EXPLANATIONS.get(status, error.description or "")
    if status == 413:
        detail = _too_large()
    response = render_error(status, error.name, detail)
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _too_large() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return (
        f"What was sent is larger than the limit of {limit / 1_048_576:.3g} MB. "
        "Split a spreadsheet into smaller files and import them one after another."
    )


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        "Form expired",
        "This form could not be accepted because its security token is missing or out of date. "
        "Go back, reload the page and submit it again.",
    )


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    log.exception(
        "Unhandled error on %s %s (request %s)", request.method, request.path, request_id()
    )
    return render_error(500, InternalServerError().name, EXPLANATIONS[500])


def handle_database_unavailable(error: Exception):
    """503 with a page (or problem JSON) saying the database is out of reach.

    The page is drawn as for a visitor: who is signed in cannot be read without the database.
    Once it answers again, the pool's pre-ping (SQLALCHEMY_ENGINE_OPTIONS) replaces the dead
    connections, so the app recovers without a restart.
    """
    _forget_the_user()
    # The driver's message may name the host and user; the log may hold it, the page not.
    log.warning(
        "Database unavailable on %s %s (request %s): %s",
        request.method,
        request.path,
        request_id(),
        type(error.orig if isinstance(error, sa_exc.DBAPIError) else error).__name__,
    )
    response = render_error(503, "Database unavailable", EXPLANATIONS[503])
    response.headers["Retry-After"] = "30"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
