"""/api/v1/delivery and /api/v1/roadmap: delivery figures and the open work on the roadmap."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tracker import clock
from tracker.api import presenters, requests, schemas
from tracker.api.blueprint import bp
from tracker.api.problems import invalid
from tracker.api.schemas import PageOut, PageQuery
from tracker.api.spec import operation
from tracker.domain.delivery import Figures, Quarter, recent_quarters
from tracker.roadmap import delivery, queries


class TeamQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team: str | None = Field(None, description="A team slug: that team only.")


class DeliveryQuery(TeamQuery):
    quarter: str | None = Field(
        None, description="The quarter, e.g. 2026Q4 (default: the current one)."
    )


class FiguresOut(BaseModel):
    due: int = Field(description="Mitigations (not cancelled) whose due date is in the quarter.")
    completed: int
    on_time: int = Field(description="Completed by their original due date.")
    late: int = Field(description="Completed after their original due date.")
    on_time_rate: float | None = Field(description="on_time ÷ (on_time + late); null if none.")
    median_days_late: float | None
    slips_per_mitigation: float | None
    overdue: int = Field(description="Still open past their due date.")
    blocked: int


class TeamFiguresOut(FiguresOut):
    team: str


class DeliveryOut(BaseModel):
    quarter: str
    teams: list[TeamFiguresOut]
    overall: FiguresOut
    follow_ups: FiguresOut = Field(
        description="Incident follow-ups alone (also counted in the teams and overall)."
    )


class RoadmapQuery(PageQuery, TeamQuery):
    pass


class EpicProgressOut(BaseModel):
    done: int
    total: int


class RoadmapItemOut(BaseModel):
    id: int
    title: str
    due_date: date
    original_due_date: date
    slip_count: int
    status: str
    team: str
    risk: str = Field(description="The key of the risk the mitigation lowers.")
    tickets: list[str] = Field(description="Keys of the linked Jira tickets.")
    epic_progress: EpicProgressOut | None = Field(
        description="Children done of all, summed over the linked tickets that have children."
    )


class RoadmapPage(PageOut):
    items: list[RoadmapItemOut]


def _figures(figures: Figures) -> dict:
    return {name: getattr(figures, name) for name in delivery.FIELDS}


@bp.get("/delivery")
@operation(
    "reference",
    query=DeliveryQuery,
    responses={"HTTP_200": DeliveryOut, "HTTP_422": schemas.ValidationProblem},
)
def delivery_figures():
    """Delivery figures of a quarter

    Per team and overall: mitigations due in the quarter (by their current due date, cancelled
    ones left out), how many were completed, on time by their *original* due date or late, the
    median days late, slips per mitigation, and how many are still open past due or blocked.
    """
    args = requests.query(DeliveryQuery)
    team = requests.team_filter(args.team)
    today = clock.today()
    try:
        quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.of(today)
    except ValueError as problem:
        raise invalid({"quarter": str(problem)}) from None
    report = delivery.report(recent_quarters(quarter.last_day, 1), today, team)
    return presenters.json_response(
        DeliveryOut(
            quarter=str(quarter),
            teams=[
                TeamFiguresOut(team=row.team.slug, **_figures(row.latest)) for row in report.teams
            ],
            overall=FiguresOut(**_figures(report.overall[-1])),
            follow_ups=FiguresOut(**_figures(report.follow_ups[-1])),
        )
    )


@bp.get("/roadmap")
@operation(
    "reference",
    query=RoadmapQuery,
    responses={"HTTP_200": RoadmapPage, "HTTP_422": schemas.ValidationProblem},
)
def roadmap():
    """The open work on the roadmap

    Open mitigations of live risks, by team, most overdue first within a team, with their due
    and original due dates, slips, status and linked tickets.
    """
    args = requests.query(RoadmapQuery)
    team = requests.team_filter(args.team)
    work = queries.open_work_page(team and team.id, "team", args.page, args.per_page)
    return presenters.json_response(
        RoadmapPage(
            page=work.page,
            per_page=work.per_page,
            total=work.total,
            items=[
                RoadmapItemOut(
                    id=m.id,
                    title=m.title,
                    due_date=m.due_date,
                    original_due_date=m.original_due_date,
                    slip_count=m.slip_count,
                    status=m.status,
                    team=m.team.slug,
                    risk=m.risk.key,
                    tickets=[ticket.key for ticket in work.tickets.get(m.id, [])],
                    epic_progress=(
                        EpicProgressOut(done=p.done, total=p.total)
                        if (p := work.progress.get(m.id))
                        else None
                    ),
                )
                for m in work.items
            ],
        )
    )
