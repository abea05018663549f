"""The health check, for load balancers and monitors."""

from __future__ import annotations

from flask import Blueprint, jsonify

from tracker.database import database_answers
from tracker.security import public

bp = Blueprint("main", __name__)


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    if database_answers():
        return jsonify(status="ok")
    return jsonify(status="unavailable", detail="The database is unreachable."), 503
