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
