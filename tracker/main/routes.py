"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from tracker.database import database_answers
from tracker.security import public

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", teams=current_user.teams)


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    if database_answers():
        return jsonify(status="ok")
    return jsonify(status="unavailable", detail="The database does not answer."), 503
