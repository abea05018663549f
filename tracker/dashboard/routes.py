"""The dashboard: the home page the weekly review runs from."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from markupsafe import Markup

from tracker import clock, figures_cache
from tracker.dashboard import charts, panels, services
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.incidents.attention import ESTIMATE_TOO_LOW_TITLE, INCIDENT_LISTS
from tracker.risks import services as risk_services
from tracker.team_filter import requested_team

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    """The dashboard; ?team=<slug> narrows every panel (an unknown slug shows all, and says so).

    Its content is rendered once per team view, role and register version (and minute), then
    served from the cache; only the layout around it is rendered per request. The card that
    offers an admin without teams to join one carries their own forms, so it is never cached.
    """
    risk_services.reopen_expired_acceptances()
    chosen = requested_team()
    offer_teams = current_user.role == "admin" and not current_user.teams
    if offer_teams:
        return render_template("dashboard/home.html", **_content(chosen, offer_teams=True))
    key = (
        chosen.team.id if chosen.team else "all",
        chosen.unknown,
        current_user.role,
        clock.now().strftime("%Y-%m-%dT%H:%M"),
    )
    board = figures_cache.cache().figures(
        "dashboard-page",
        key,
        lambda: render_template("dashboard/home.html", content_only=True, **_content(chosen)),
    )
    return render_template("dashboard/home.html", board_html=Markup(board))  # noqa: S704 (ours)


def _content(chosen, offer_teams: bool = False) -> dict:
    dashboard = services.figures(chosen.team)
    weeks = [
        {
            "label": snap.week.strftime("%d %b"),
            **{band: getattr(snap, band) for band in ("low", "medium", "high", "critical")},
        }
        for snap in dashboard.trend
    ]
    return {
        "d": dashboard,
        "team_slug": chosen.team.slug if chosen.team else "",
        "unknown_team": chosen.unknown,
        "all_teams": [row.team for row in dashboard.teams],
        "columns": charts.stacked_weeks(weeks),
        "share_width": charts.share_width,
        "attention_titles": panels.ATTENTION_TITLES,
        "burn": charts.burn_chart(dashboard.spent.burn),
        "estimate_too_low_title": ESTIMATE_TOO_LOW_TITLE,
        "incident_lists": INCIDENT_LISTS,
        "drift_labels": DRIFT_KINDS,
        "offer_teams": offer_teams,
    }
