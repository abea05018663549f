"""Delivery rules: calendar quarters and how reliably mitigations land by their dates.

A quarter's mitigations are those (not cancelled) whose *current* due date falls in it. One is
*on time* when it was completed by its *original* due date, so slipping a date never turns late
work into punctual work; *late* when completed after it. The on-time rate is on time ÷ (on time
+ late), None while nothing has been completed.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

QUARTER_PATTERN = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written 2026Q4."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """The quarter written as 2026Q4 (or 2026-Q4, any case); ValueError saying the format."""
        match = QUARTER_PATTERN.match((text or "").strip())
        if not match or not 1900 <= int(match[1]) <= 9998:
            raise ValueError(f"{text!r} is not a quarter: write it as YEARQn, e.g. 2026Q4.")
        return cls(int(match[1]), int(match[2]))

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.next()
        return date.fromordinal(following.first_day.toordinal() - 1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def recent_quarters(today: date, count: int = 5) -> list[Quarter]:
    """The current quarter and the `count - 1` before it, oldest first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


@dataclass(frozen=True)
class Tally:
    """Counts of one quarter's mitigations, as the database adds them up."""

    due: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    slips: int = 0
    overdue: int = 0
    blocked: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.due,
            self.completed,
            self.on_time,
            self.late,
            self.slips,
            self.overdue,
            self.blocked,
        )


@dataclass(frozen=True)
class Figures:
    """A quarter's delivery figures for a team or the whole program."""

    due: int
    completed: int
    on_time: int
    late: int
    on_time_rate: float | None
    median_days_late: float | None
    slips_per_mitigation: float | None
    overdue: int
    blocked: int


def figures(tally: Tally, days_late: Iterable[int]) -> Figures:
    """The figures from a quarter's tally and the days late of each late completion."""
    days = sorted(days_late)
    judged = tally.on_time + tally.late
    return Figures(
        due=tally.due,
        completed=tally.completed,
        on_time=tally.on_time,
        late=tally.late,
        on_time_rate=round(tally.on_time / judged, 4) if judged else None,
        median_days_late=float(statistics.median(days)) if days else None,
        slips_per_mitigation=round(tally.slips / tally.due, 2) if tally.due else None,
        overdue=tally.overdue,
        blocked=tally.blocked,
    )


@dataclass(frozen=True)
class Work:
    """One mitigation as the delivery rules see it (for tests and small sets)."""

    status: str
    due_date: date
    original_due_date: date
    completed_on: date | None = None
    slip_count: int = 0


def tally(work: Iterable[Work], quarter: Quarter, today: date) -> tuple[Tally, list[int]]:
    """The rule in Python: the quarter's tally and days late, as the SQL in
    tracker.roadmap.delivery computes them (tests pin the two together)."""
    counts = Tally()
    days_late = []
    for item in work:
        if item.status == "cancelled" or not quarter.contains(item.due_date):
            continue
        done = item.status == "done"
        judged = done and item.completed_on is not None
        on_time = judged and item.completed_on <= item.original_due_date
        late = judged and not on_time
        if late:
            days_late.append((item.completed_on - item.original_due_date).days)
        counts = counts + Tally(
            due=1,
            completed=int(done),
            on_time=int(on_time),
            late=int(late),
            slips=item.slip_count,
            overdue=int(not done and item.due_date < today),
            blocked=int(item.status == "blocked"),
        )
    return counts, days_late
