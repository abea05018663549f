"""Geometry for the dashboard's server-rendered SVG charts."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.scoring import BANDS


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    band: str
    count: int


@dataclass(frozen=True)
class WeekColumn:
    label: str
    x: float
    bars: list[Bar]
    total: int


def stacked_weeks(
    weeks: list[dict], width: int = 560, height: int = 180, pad: int = 24
) -> list[WeekColumn]:
    """One stacked column per week (low at the bottom, critical on top), scaled to the busiest."""
    if not weeks:
        return []
    tallest = max(sum(week[band] for band in BANDS) for week in weeks) or 1
    # Twelve slots whatever the history, so a young tracker does not draw one giant bar.
    slot = (width - 2 * pad) / max(len(weeks), 12)
    column_width = slot * 0.7
    columns = []
    for index, week in enumerate(weeks):
        x = pad + index * slot + (slot - column_width) / 2
        base = height - pad
        bars = []
        for band in BANDS:
            bar_height = (height - 2 * pad) * week[band] / tallest
            base -= bar_height
            bars.append(
                Bar(
                    round(x, 1),
                    round(base, 1),
                    round(column_width, 1),
                    round(bar_height, 1),
                    band,
                    week[band],
                )
            )
        columns.append(
            WeekColumn(
                week["label"],
                round(x + column_width / 2, 1),
                bars,
                sum(week[band] for band in BANDS),
            )
        )
    return columns


def share_width(part: float, whole: float, width: float = 100.0) -> float:
    """Percentage width of `part` in a bar that is `whole` long, capped at the bar."""
    if whole <= 0:
        return 0.0
    return round(min(width, width * part / whole), 2)


@dataclass(frozen=True)
class BurnChart:
    """A line of the minutes spent so far against the budget's even pace, as SVG paths."""

    width: int
    height: int
    spent_path: str
    budget_path: str
    gridlines: list[tuple[float, float]]  # (y, minutes)
    labels: list[tuple[float, str]]  # (x, date)
    over_budget: bool


def burn_chart(points: list, width: int = 560, height: int = 200, pad: int = 36) -> BurnChart:
    """Geometry of the cumulative-spend chart from tracker.domain.error_budget's BurnPoints
    (oldest first; the last one's pace is the whole window's budget)."""
    budget = points[-1].pace_minutes
    top = max(budget, max(p.spent_minutes for p in points)) * 1.1 or 1.0
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds() or 1.0

    def x(at) -> float:
        return round(pad + (width - 2 * pad) * (at - start).total_seconds() / span, 1)

    def y(minutes: float) -> float:
        return round(height - pad - (height - 2 * pad) * minutes / top, 1)

    spent = " ".join(
        f"{'M' if n == 0 else 'L'}{x(p.at)},{y(p.spent_minutes)}" for n, p in enumerate(points)
    )
    step = max(1, len(points) // 4)
    labels = [(x(p.at), p.at.strftime("%d %b %y")) for p in points[::step]]
    return BurnChart(
        width=width,
        height=height,
        spent_path=spent,
        budget_path=f"M{x(start)},{y(0)} L{x(end)},{y(budget)}",
        gridlines=[(y(budget * share), budget * share) for share in (0, 0.25, 0.5, 0.75, 1)],
        labels=labels,
        over_budget=points[-1].spent_minutes > budget,
    )
