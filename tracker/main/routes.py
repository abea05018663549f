"""The dashboard (home page) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from tracker.dashboard import charts, panels, services
from tracker.database import database_answers
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.extensions import db
from tracker.models import Team
from tracker.risks import services as risk_services
from tracker.security import public

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The dashboard the weekly review runs from; ?team=<slug> narrows every panel."""
    risk_services.reopen_expired_acceptances()
    slug = request.args.get("team", "")
    team = db.session.scalar(db.select(Team).filter_by(slug=slug)) if slug else None
    dashboard = services.build(team)
    weeks = [
        {
            "label": snap.week.strftime("%d %b"),
            **{band: getattr(snap, band) for band in ("low", "medium", "high", "critical")},
        }
        for snap in dashboard.trend
    ]
    return render_template(
        "main/dashboard.html",
        d=dashboard,
        team_slug=team.slug if team else "",
        unknown_team=bool(slug and team is None),
        all_teams=[row.team for row in dashboard.teams],
        columns=charts.stacked_weeks(weeks),
        share_width=charts.share_width,
        attention_titles=panels.ATTENTION_TITLES,
        drift_labels=DRIFT_KINDS,
    )


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    if database_answers():
        return jsonify(status="ok")
    return jsonify(status="unavailable", detail="The database does not answer."), 503
