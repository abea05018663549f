"""The error budget actually spent: incidents' customer-impact minutes against the SLO, over
rolling windows ending now.

An incident's impact minutes are spread evenly over its duration (started → resolved, or → now
while it is open), so a window that begins in the middle of an incident counts only the share
of its minutes that fall inside. Windows are half-open, (now − days, now]: an incident resolved
exactly when a window starts spends nothing in it; one that starts exactly then spends all of
it there.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

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


class Span(NamedTuple):
    """An Outage in POSIX seconds (UTC), as the database can hand it over without building a
    datetime per row; the window arithmetic takes either."""

    start: float
    end: float | None
    minutes: float | None


def allowed_minutes(days: float, slo: float = DEFAULT_SLO) -> float:
    """Bad minutes a window of `days` allows: (1 − SLO) × its minutes (7 days at 99.8%: 20.16)."""
    if not 0 < slo < 1:
        raise ValueError(f"the SLO must lie between 0 and 1, got {slo!r}")
    # Rounded to a millionth of a minute: 1 − 0.998 is 0.0020000000000000018 in floating
    # point, and a window spent to the minute must count as spent.
    return round((1 - slo) * days * MINUTES_PER_DAY, 6)


def share_inside(
    started_at: datetime, ended_at: datetime, window_start: datetime, window_end: datetime
) -> float:
    """The fraction (0–1) of the span started_at → ended_at that lies in (window_start,
    window_end]. A span of no length counts whole when its instant lies in the window.

    A span that ends before it starts (bad data) counts as one of no length at its start.
    """
    start = started_at.timestamp()
    return _share(
        start, max(ended_at.timestamp(), start), window_start.timestamp(), window_end.timestamp()
    )


def _share(start: float, end: float, low: float, high: float) -> float:
    """share_inside on POSIX seconds (end ≥ start), for the loops over many incidents."""
    if end == start:
        return 1.0 if low < start <= high else 0.0
    overlap = min(end, high) - max(start, low)
    return overlap / (end - start) if overlap > 0 else 0.0


def _spans(outages: Iterable[Outage | Span], now: datetime) -> list[tuple[float, float, float]]:
    """(start, end, impact minutes) in POSIX seconds of each outage that cost minutes, its end
    as known at `now` (an open one, or one resolved after now, runs to now; none ends before
    it starts)."""
    high = now.timestamp()
    spans = []
    for outage in outages:
        if isinstance(outage, Outage):
            resolved = outage.resolved_at
            outage = Span(
                outage.started_at.timestamp(),
                None if resolved is None else resolved.timestamp(),
                outage.impact_minutes,
            )
        # Unpacked rather than read by name: this loop runs once per incident of the year.
        start, end, minutes = outage
        if minutes:
            if end is None or end > high:
                end = high
            spans.append((start, end if end > start else start, minutes))
    return spans


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
    outages: Iterable[Outage | Span],
    now: datetime,
    slo: float = DEFAULT_SLO,
    windows: Iterable[int] = WINDOW_DAYS,
) -> list[WindowBudget]:
    """The budget of each rolling window of `windows` days ending `now`, in that order."""
    spans = _spans(outages, now)
    high = now.timestamp()
    result = []
    for days in windows:
        low = (now - timedelta(days=days)).timestamp()
        spent = 0.0
        for start, end, minutes in spans:
            # _spans ends every span by now, so one that starts inside the window lies wholly
            # in it (one that starts after now is an instant outside); only those that began
            # before the window need the share.
            if start > low:
                spent += minutes if start <= high else 0.0
            elif end > low:
                spent += minutes * _share(start, end, low, high)
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
    outages: Iterable[Outage | Span],
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
    steps = len(edges) - 1
    seconds = [edge.timestamp() for edge in edges]
    per_step = [0.0] * steps
    # Minutes a second that the steps strictly between an outage's first and last step get,
    # as differences: one pass whatever the outages' length.
    rate_changes = [0.0] * (steps + 1)
    for started, ended, minutes in _spans(outages, now):
        first, last = _step_of(started, seconds), _step_of(ended, seconds)
        if seconds[first] < started and ended <= seconds[first + 1]:
            per_step[first] += minutes  # wholly inside one step
            continue
        for index in (first, last) if first != last else (first,):
            per_step[index] += minutes * _share(started, ended, seconds[index], seconds[index + 1])
        if last - first > 1:
            rate = minutes / (ended - started)
            rate_changes[first + 1] += rate
            rate_changes[last] -= rate
    points, spent, rate = [BurnPoint(start, 0.0, 0.0)], 0.0, 0.0
    for index in range(steps):
        rate += rate_changes[index]
        at = edges[index + 1]
        spent += per_step[index] + rate * (seconds[index + 1] - seconds[index])
        points.append(BurnPoint(at, spent, allowed_minutes((at - start) / timedelta(days=1), slo)))
    return points


def _step_of(moment: float, edges: list[float]) -> int:
    """The step (edge, next edge] that holds `moment` (POSIX seconds), clamped to the steps."""
    return min(max(bisect_left(edges, moment) - 1, 0), len(edges) - 2)
