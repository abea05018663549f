"""/api/v1/dashboard: the ranked open risks, the error budget and the attention counts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tracker.api import presenters, requests
from tracker.api.blueprint import bp
from tracker.api.problems import invalid
from tracker.api.spec import operation
from tracker.dashboard import services
from tracker.extensions import db
from tracker.models import Team


class DashboardQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team: str | None = Field(None, description="A team slug: every figure for that team only.")


class RankedRiskOut(BaseModel):
    position: int
    key: str
    title: str
    team: str
    owner: str | None
    score: int
    band: str
    bad_minutes_per_year: float | None
    budget_share: float | None
    overdue_mitigations: int
    next_review: str
    factors: list[str] = Field(description="Why the risk ranks here, in the rule's order.")
    drift_flags: int


class BudgetOut(BaseModel):
    slo: float
    budget_minutes: float
    total_bad_minutes: float
    accepted_bad_minutes: float
    unmitigated_bad_minutes: float
    budget_share: float
    quantified_risks: int
    too_big_to_accept: list[str] = Field(description="Keys of risks over the too-big share.")


class DashboardOut(BaseModel):
    team: str | None
    ranking: list[RankedRiskOut]
    budget: BudgetOut
    attention: dict[str, int] = Field(description="Items in each needs-attention list.")
    drift: dict[str, int] = Field(description="Open Jira drift flags by kind.")


@bp.get("/dashboard")
@operation("reference", query=DashboardQuery, responses={"HTTP_200": DashboardOut})
def dashboard():
    """The dashboard

    The ranked open risks with their ranking factors (score, then bad minutes a year, then
    overdue mitigations, then days the review is overdue, then the oldest key first), the
    error-budget totals and the count of each needs-attention list. `team` narrows every figure.
    """
    args = requests.query(DashboardQuery)
    team = None
    if args.team:
        team = db.session.scalar(db.select(Team).filter_by(slug=args.team.strip().lower()))
        if team is None:
            raise invalid({"team": f"No team has the slug {args.team!r}."})
    board = services.figures(team)
    return presenters.json_response(_present(board))


def _present(board: services.Dashboard) -> DashboardOut:
    budget = board.budget
    return DashboardOut(
        team=board.team.slug if board.team else None,
        ranking=[
            RankedRiskOut(
                position=r.position,
                key=r.risk.key,
                title=r.risk.title,
                team=r.risk.team.slug,
                owner=r.risk.owner.email if r.risk.owner else None,
                score=r.risk.score,
                band=r.band,
                bad_minutes_per_year=r.risk.bad_minutes_per_year,
                budget_share=r.budget_share,
                overdue_mitigations=r.overdue_mitigations,
                next_review=r.risk.next_review.isoformat(),
                factors=r.factors,
                drift_flags=r.drift,
            )
            for r in board.top
        ],
        budget=BudgetOut(
            slo=board.settings.slo,
            budget_minutes=budget.minutes,
            total_bad_minutes=budget.total,
            accepted_bad_minutes=budget.accepted,
            unmitigated_bad_minutes=budget.unmitigated,
            budget_share=budget.share,
            quantified_risks=budget.quantified,
            too_big_to_accept=[risk.key for risk in budget.too_big],
        ),
        attention={
            name: listing.count
            for lists in (board.attention, board.incident_attention)
            for name, listing in lists.items()
        },
        drift=board.drift,
    )
