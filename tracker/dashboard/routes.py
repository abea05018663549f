"""The dashboard: the home page the weekly review runs from."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.dashboard import charts, panels, services
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.risks import services as risk_services
from tracker.team_filter import requested_team

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    """The dashboard; ?team=<slug> narrows every panel (an unknown slug shows all, and says so)."""
    risk_services.reopen_expired_acceptances()
    chosen = requested_team()
    dashboard = services.figures(chosen.team)
    weeks = [
        {
            "label": snap.week.strftime("%d %b"),
            **{band: getattr(snap, band) for band in ("low", "medium", "high", "critical")},
        }
        for snap in dashboard.trend
    ]
    return render_template(
        "dashboard/home.html",
        d=dashboard,
        team_slug=chosen.team.slug if chosen.team else "",
        unknown_team=chosen.unknown,
        all_teams=[row.team for row in dashboard.teams],
        columns=charts.stacked_weeks(weeks),
        share_width=charts.share_width,
        attention_titles=panels.ATTENTION_TITLES,
        drift_labels=DRIFT_KINDS,
        offer_teams=current_user.role == "admin" and not current_user.teams,
    )
