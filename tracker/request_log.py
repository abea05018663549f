"""One log line per request, and the request id that ties it to what the user saw.

Each request gets an id: the caller's `X-Request-ID` when it is short and plain (a proxy or load
balancer may have given one), else a new random one. It is sent back in `X-Request-ID` and shown
on error pages, so a person can quote it and an operator can find the line.

The line goes to the `tracker.requests` logger, as JSON (LOG_FORMAT=json, the default) or as
text (LOG_FORMAT=text), and holds only the fields listed in `request_fields`: never a query
string, a header, a cookie or a form value, which is where tokens and passwords travel.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Flask, Response, current_app, g, request

log = logging.getLogger("tracker.requests")

LOG_FORMATS = ("json", "text")
# Letters, digits and . _ : - only, at most 128: safe in a header, a log line and a page.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id() -> str:
    """This request's id (the caller's sane X-Request-ID, else a new one), fixed on first use."""
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)
    return g.request_id


def _start_clock() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _signed_in_user_id() -> int | None:
    # Only the user this request already loaded: looking one up here would cost a query (and
    # fail the same way again when the database is what went wrong).
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def request_fields(response: Response) -> dict:
    """What the log line says about this request and its answer."""
    started = g.get("request_started")
    return {
        "request_id": request_id(),
        "user_id": _signed_in_user_id(),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }


def format_line(fields: dict, log_format: str) -> str:
    """The fields as one JSON object, or as `key=value` pairs for people reading a terminal."""
    if log_format == "text":
        return " ".join(f"{key}={'-' if value is None else value}" for key, value in fields.items())
    return json.dumps(fields, separators=(",", ":"))


def _log_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = request_id()
    fields = request_fields(response)
    log.info(format_line(fields, current_app.config["LOG_FORMAT"]), extra={"request": fields})
    return response


def log_format_problem(value: object) -> str | None:
    """Why LOG_FORMAT is not usable, or None."""
    if value not in LOG_FORMATS:
        return f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}."
    return None


def init_app(app: Flask) -> None:
    """Time and log every request; give the log lines somewhere to go when nothing else does."""
    app.before_request(_start_clock)
    app.after_request(_log_request)
    app.jinja_env.globals["request_id"] = request_id
    log.setLevel(logging.INFO)
    # gunicorn and `flask run` configure no handler for the app's loggers: without one these
    # INFO lines would be dropped. A host that configures logging itself keeps its own.
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
