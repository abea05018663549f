"""The error budget incidents actually spent, for everyone or one team (an incident counts for
its owning team): the rolling windows and the year's burn, read in one query.

The arithmetic is tracker.domain.error_budget's; this module only fetches the spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.database import epoch_seconds
from tracker.domain.error_budget import (
    POLICY_WINDOW_DAYS,
    WINDOW_DAYS,
    BurnPoint,
    Span,
    WindowBudget,
    cumulative_spend,
    overlaps_window_sql,
    window_budgets,
)
from tracker.extensions import db
from tracker.models import Incident

# The longest window, which the chart of the year's burn also covers.
YEAR_DAYS = max(WINDOW_DAYS)
# The chart's step: a point a week.
BURN_STEP_DAYS = 7


@dataclass(frozen=True)
class SpentBudget:
    """The budget spent in each window of WINDOW_DAYS ending `now`, and the cumulative spend
    over the year, a point a week."""

    slo: float
    windows: list[WindowBudget]
    burn: list[BurnPoint]

    @property
    def policy_window(self) -> WindowBudget:
        """The 28-day window, which decides whether the budget is exhausted."""
        return next(w for w in self.windows if w.days == POLICY_WINDOW_DAYS)

    @property
    def exhausted(self) -> bool:
        return self.policy_window.exhausted


def spans(team_id: int | None, now: datetime, days: int = YEAR_DAYS) -> list[Span]:
    """The incidents (of one team, or all) that may spend minutes in the `days` up to `now`,
    as spans in POSIX seconds: one query, whatever their number."""
    query = sa.select(
        epoch_seconds(Incident.started_at),
        epoch_seconds(Incident.resolved_at),
        Incident.impact_minutes,
    ).where(
        overlaps_window_sql(
            Incident.started_at, Incident.resolved_at, now - timedelta(days=days), now
        ),
        Incident.impact_minutes > 0,
    )
    if team_id is not None:
        query = query.where(Incident.team_id == team_id)
    # Plain rows through the session's connection: the ORM has nothing to add to three numbers.
    return [Span(*row) for row in db.session.connection().execute(query)]


def spent_budget(team_id: int | None, now: datetime, slo: float) -> SpentBudget:
    """Every window's budget and the year's burn for one team (or all), in one query."""
    outages = spans(team_id, now)
    return SpentBudget(
        slo=slo,
        windows=window_budgets(outages, now, slo),
        burn=cumulative_spend(outages, now, YEAR_DAYS, BURN_STEP_DAYS, slo),
    )
