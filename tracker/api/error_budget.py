"""/api/v1/error-budget: the error budget incidents actually spent, per rolling window."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tracker import clock
from tracker.api import presenters, requests, schemas
from tracker.api.blueprint import bp
from tracker.api.spec import operation
from tracker.incidents.budget import spent_budget
from tracker.risks import settings as scoring_settings


class ErrorBudgetQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team: str | None = Field(None, description="A team slug: that team's incidents only.")


class WindowOut(BaseModel):
    days: int = Field(description="The window: the `days` days ending now.")
    allowed_minutes: float = Field(description="(1 − SLO) × the window's minutes.")
    spent_minutes: float = Field(
        description="Impact minutes of incidents inside the window (an incident that spans "
        "its start counts the share of its duration inside)."
    )
    remaining_minutes: float = Field(description="Allowed − spent; negative once overspent.")
    burn_rate: float = Field(description="Spent ÷ allowed: above 1 the SLO is missed.")
    availability: float = Field(description="Measured: 1 − spent ÷ the window's minutes.")
    exhausted: bool = Field(description="Spent ≥ allowed.")


class ErrorBudgetOut(BaseModel):
    slo: float = Field(description="The availability objective, e.g. 0.998.")
    team: str | None
    windows: list[WindowOut] = Field(description="The 7, 28, 90 and 365-day windows, in order.")


@bp.get("/error-budget")
@operation(
    "reference",
    query=ErrorBudgetQuery,
    responses={"HTTP_200": ErrorBudgetOut, "HTTP_422": schemas.ValidationProblem},
)
def error_budget():
    """The error budget spent

    For the rolling windows of 7, 28, 90 and 365 days ending now: the minutes the SLO allows,
    the incidents' customer-impact minutes spent in them, what remains, the burn rate and the
    measured availability. `team` counts that team's incidents only.
    """
    args = requests.query(ErrorBudgetQuery)
    team = requests.team_filter(args.team)
    slo = scoring_settings.current().slo
    spent = spent_budget(team.id if team else None, clock.now(), slo)
    return presenters.json_response(
        ErrorBudgetOut(
            slo=slo,
            team=team.slug if team else None,
            windows=[
                WindowOut(
                    days=w.days,
                    allowed_minutes=w.allowed_minutes,
                    spent_minutes=round(w.spent_minutes, 6),
                    remaining_minutes=round(w.remaining_minutes, 6),
                    burn_rate=round(w.burn_rate, 6),
                    availability=round(w.availability, 9),
                    exhausted=w.exhausted,
                )
                for w in spent.windows
            ],
        )
    )
