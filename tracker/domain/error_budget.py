"""The error budget actually spent: incidents' customer-impact minutes against the SLO, over
rolling windows ending now.

An incident's impact minutes are spread evenly over its duration (started → resolved, or → now
while it is open), so a window that begins in the middle of an incident counts only the share
of its minutes that fall inside. Windows are half-open, (now − days, now]: an incident resolved
exactly when a window starts spends nothing in it; one that starts exactly then spends all of
it there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.domain.budget import DEFAULT_SLO, MINUTES_PER_DAY

WINDOW_DAYS = (7, 28, 90, 365)
# The window the "budget exhausted" state and the follow-up policy are judged on.
POLICY_WINDOW_DAYS = 28


@dataclass(frozen=True)
class Outage:
    """What the budget needs to know of an incident: when, and how many minutes it cost.

    `resolved_at` None is an incident still open; `impact_minutes` None (not yet assessed)
    spends nothing.
    """

    started_at: datetime
    resolved_at: datetime | None
    impact_minutes: float | None


def allowed_minutes(days: float, slo: float = DEFAULT_SLO) -> float:
    """Bad minutes a window of `days` allows: (1 − SLO) × its minutes (7 days at 99.8%: 20.16)."""
    if not 0 < slo < 1:
        raise ValueError(f"the SLO must lie between 0 and 1, got {slo!r}")
    return (1 - slo) * days * MINUTES_PER_DAY


def share_inside(
    started_at: datetime, ended_at: datetime, window_start: datetime, window_end: datetime
) -> float:
    """The fraction (0–1) of the span started_at → ended_at that lies in (window_start,
    window_end]. A span of no length counts whole when its instant lies in the window.

    A span that ends before it starts (bad data) counts as one of no length at its start.
    """
    ended_at = max(ended_at, started_at)
    duration = (ended_at - started_at).total_seconds()
    if duration == 0:
        return 1.0 if window_start < started_at <= window_end else 0.0
    overlap = (min(ended_at, window_end) - max(started_at, window_start)).total_seconds()
    return max(0.0, overlap) / duration


def minutes_inside(
    outage: Outage, window_start: datetime, now: datetime, window_end: datetime | None = None
) -> float:
    """The outage's impact minutes that fall in (window_start, window_end] (default: now).

    Its duration is the one known at `now`: an open incident runs to now, and a resolution
    recorded after now has not happened yet.
    """
    if not outage.impact_minutes:
        return 0.0
    share = share_inside(
        outage.started_at, _known_end(outage, now), window_start, window_end or now
    )
    return outage.impact_minutes * share


def reaches(outage: Outage, window_start: datetime, now: datetime) -> bool:
    """Whether any of the outage's span (as known at `now`) lies in (window_start, now]."""
    return share_inside(outage.started_at, _known_end(outage, now), window_start, now) > 0


def _known_end(outage: Outage, now: datetime) -> datetime:
    """Where the outage's span ends as known at `now`: an open incident (or a resolution
    recorded after now) runs to now; a span never ends before it starts."""
    return max(outage.started_at, min(outage.resolved_at or now, now))


@dataclass(frozen=True)
class WindowBudget:
    """One rolling window: what it allows, what incidents spent, and what follows from that.

    `remaining_minutes` goes negative once the window is overspent.
    """

    days: int
    allowed_minutes: float
    spent_minutes: float

    @property
    def window_minutes(self) -> float:
        return self.days * MINUTES_PER_DAY

    @property
    def remaining_minutes(self) -> float:
        return self.allowed_minutes - self.spent_minutes

    @property
    def burn_rate(self) -> float:
        """Spent ÷ allowed: 1.0 is exactly the budget, above it the SLO is missed."""
        return self.spent_minutes / self.allowed_minutes

    @property
    def availability(self) -> float:
        """Measured availability over the window: 1 − spent ÷ window minutes."""
        return 1 - self.spent_minutes / self.window_minutes

    @property
    def exhausted(self) -> bool:
        return self.spent_minutes >= self.allowed_minutes


def window_budgets(
    outages: Iterable[Outage],
    now: datetime,
    slo: float = DEFAULT_SLO,
    windows: Iterable[int] = WINDOW_DAYS,
) -> list[WindowBudget]:
    """The budget of each rolling window of `windows` days ending `now`, in that order."""
    outages = list(outages)
    result = []
    for days in windows:
        start = now - timedelta(days=days)
        spent = sum(minutes_inside(outage, start, now) for outage in outages)
        result.append(WindowBudget(days, allowed_minutes(days, slo), spent))
    return result


def overlaps_window_sql(started_at, resolved_at, window_start: datetime, now: datetime):
    """SQL condition on incident columns: the incident may spend minutes in (window_start, now].

    A superset filter for loading what window_budgets needs (it started by now and was not
    resolved before the window began); minutes_inside then does the exact arithmetic.
    """
    return sa.and_(started_at <= now, sa.or_(resolved_at.is_(None), resolved_at >= window_start))


@dataclass(frozen=True)
class BurnPoint:
    """The cumulative minutes spent from the window's start to `at`, and the budget's even pace
    there (the allowed minutes of the time elapsed)."""

    at: datetime
    spent_minutes: float
    pace_minutes: float


def cumulative_spend(
    outages: Iterable[Outage],
    now: datetime,
    days: int = 365,
    step_days: int = 7,
    slo: float = DEFAULT_SLO,
) -> list[BurnPoint]:
    """Cumulative minutes spent over the window of `days` ending `now`: a point at its start
    and every `step_days` after, the last at `now` exactly (so it equals that window's spent).

    Each incident counts as it is known now, so a point never moves unless an incident is
    added or corrected. Costs one pass over the outages, whatever the number of points.
    """
    start = now - timedelta(days=days)
    step = timedelta(days=step_days)
    edges = [start + step * k for k in range(-(-days // step_days))] + [now]
    per_step = [0.0] * (len(edges) - 1)
    for outage in outages:
        if not outage.impact_minutes:
            continue
        ended_at = _known_end(outage, now)
        first = _step_index(outage.started_at, start, step, len(per_step))
        last = _step_index(ended_at, start, step, len(per_step))
        for index in range(first, last + 1):
            share = share_inside(outage.started_at, ended_at, edges[index], edges[index + 1])
            per_step[index] += outage.impact_minutes * share
    points, spent = [BurnPoint(start, 0.0, 0.0)], 0.0
    for index, minutes in enumerate(per_step):
        spent += minutes
        at = edges[index + 1]
        points.append(BurnPoint(at, spent, allowed_minutes((at - start) / timedelta(days=1), slo)))
    return points


def _step_index(moment: datetime, start: datetime, step: timedelta, steps: int) -> int:
    """The step whose (edge, next edge] holds `moment`, within 0 … steps − 1."""
    index = -(-(moment - start) // step) - 1  # ceiling: a moment on an edge ends a step
    return min(max(index, 0), steps - 1)
