"""The roadmap pages: the timeline of open work, delivery figures, and planning input."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from tracker import clock
from tracker.domain.delivery import Quarter, recent_quarters
from tracker.extensions import db
from tracker.models import Team
from tracker.paging import page_number
from tracker.risks import settings as scoring_settings
from tracker.roadmap import delivery, exports, planning, queries, timeline
from tracker.team_filter import requested_team

bp = Blueprint("roadmap", __name__, url_prefix="/roadmap")

WORK_PER_PAGE = 100
PLANNING_PER_PAGE = 100


def _page_number() -> int:
    return page_number(request.args.get("page"))


def _quarter(default: Quarter) -> tuple[Quarter, str | None]:
    """The quarter ?quarter= names, or `default` and a message saying what was wrong."""
    text = request.args.get("quarter", "").strip()
    if not text:
        return default, None
    try:
        return Quarter.parse(text), None
    except ValueError as problem:
        return default, f"{problem} Showing {default}."


def _teams() -> list[Team]:
    return db.session.scalars(db.select(Team).order_by(Team.name)).all()


@bp.get("")
def index():
    """Open mitigations on a timeline for this quarter and the next, by team or by risk."""
    chosen = requested_team()
    group = request.args.get("group", "team")
    problems = [] if group in queries.GROUPINGS else [f"Group by “team” or “risk”, not {group!r}."]
    group = group if group in queries.GROUPINGS else "team"
    today = clock.today()
    work = queries.open_work_page(
        chosen.team and chosen.team.id, group, _page_number(), WORK_PER_PAGE
    )
    view, groups = timeline.layout(work.items, work.tickets, work.progress, group, today)
    return render_template(
        "roadmap/index.html",
        work=work,
        view=view,
        groups=groups,
        geometry=timeline,
        group=group,
        chosen=chosen,
        teams=_teams(),
        problems=problems,
        today=today,
    )


@bp.get("/delivery")
def delivery_page():
    """On-time delivery per team for a quarter, with the trend over the four before it."""
    chosen = requested_team()
    today = clock.today()
    quarter, problem = _quarter(Quarter.of(today))
    report = delivery.report(recent_quarters(quarter.last_day), today, chosen.team, cached=True)
    return render_template(
        "roadmap/delivery.html",
        report=report,
        chosen=chosen,
        teams=_teams(),
        problems=[problem] if problem else [],
        today=today,
    )


def _planning_args():
    chosen = requested_team()
    quarter, problem = _quarter(Quarter.of(clock.today()).next())
    return chosen, quarter, problem


@bp.get("/planning")
def planning_page():
    """What should go on the roadmap next quarter, ranked by the minutes a year it would save."""
    chosen, quarter, problem = _planning_args()
    settings = scoring_settings.current()
    result = planning.planning(
        quarter, settings, chosen.team and chosen.team.id, _page_number(), PLANNING_PER_PAGE
    )
    return render_template(
        "roadmap/planning.html",
        result=result,
        reasons=planning.REASONS,
        settings=settings,
        chosen=chosen,
        teams=_teams(),
        problems=[problem] if problem else [],
    )


@bp.get("/planning.<any(csv, md):fmt>")
def planning_export(fmt: str):
    """The whole planning list as CSV or Markdown, streamed, ready for a planning document."""
    chosen, quarter, problem = _planning_args()
    if problem or chosen.unknown:
        abort(404, problem or f"There is no team {chosen.slug!r}.")
    settings = scoring_settings.current()
    rows = exports.planning_rows(quarter, settings, chosen.team and chosen.team.id)
    name = f"planning-{quarter}{'-' + chosen.slug if chosen.team else ''}.{fmt}"
    if fmt == "csv":
        body, mimetype = exports.planning_csv(rows), "text/csv"
    else:
        body, mimetype = exports.planning_markdown(rows, quarter, chosen.team), "text/markdown"
    return Response(
        stream_with_context(body),
        mimetype=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
