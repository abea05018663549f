"""An opt-in `X-Query-Count` response header: the SQL statements a request ran.

For the bench suite (bench/http.py), which counts queries per page over real HTTP; off unless
the QUERY_COUNT_HEADER setting is on, since it tells a client about the server's work.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_app_context
from sqlalchemy import event

from tracker.extensions import db

HEADER = "X-Query-Count"


def init_app(app: Flask) -> None:
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)
    app.after_request(_add_header)


def _count(*_args) -> None:
    if has_app_context():
        g.query_count = g.get("query_count", 0) + 1


def _add_header(response: Response) -> Response:
    response.headers[HEADER] = str(g.get("query_count", 0))
    return response
