"""The score-over-time chart on a risk's page: data from the history, geometry for an SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.domain import scoring
from tracker.risks.history import Change

SCORE_PARTS = {"likelihood", "impact", "residual_likelihood", "residual_impact"}


@dataclass(frozen=True)
class ScorePoint:
    at: datetime
    inherent: int
    residual: int | None  # None while the residual is not assessed


def score_points(
    current: dict[str, int | None], created_at: datetime, changes: list[Change], now: datetime
) -> list[ScorePoint]:
    """Inherent and residual score after each scoring change, oldest first, ending at `now`.

    `current` holds the four scale values now; `changes` is the timeline, newest first. Walking
    it backwards undoes each change, which recovers the values as they were at every step.
    """
    values = dict(current)
    points = [ScorePoint(now, _inherent(values), _residual(values))]
    for change in changes:
        if change.field in SCORE_PARTS:
            points.append(ScorePoint(change.at, _inherent(values), _residual(values)))
            values[change.field] = None if change.old is None else int(change.old)
    points.append(ScorePoint(created_at, _inherent(values), _residual(values)))
    return list(reversed(_one_per_moment(points)))


def _one_per_moment(points: list[ScorePoint]) -> list[ScorePoint]:
    # Several fields saved together share a timestamp; keep the state after all of them.
    kept: list[ScorePoint] = []
    for point in points:
        if not kept or kept[-1].at != point.at:
            kept.append(point)
    return kept


def _inherent(values: dict[str, int]) -> int:
    return values["likelihood"] * values["impact"]


def _residual(values: dict[str, int | None]) -> int | None:
    return scoring.residual_score(values["residual_likelihood"], values["residual_impact"])


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    inherent_path: str
    residual_path: str
    dots: list[tuple[float, float, float | None, ScorePoint]]
    gridlines: list[tuple[float, int]]


def step_chart(
    points: list[ScorePoint], width: int = 560, height: int = 160, pad: int = 28
) -> Chart:
    """Step lines (a score holds until it changes) for the inherent and residual score; the
    residual line has a gap while it is not assessed."""
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        return round(pad + (width - 2 * pad) * (at - start).total_seconds() / span, 1)

    def y(score: int | None) -> float | None:
        return None if score is None else round(height - pad - (height - 2 * pad) * score / 25, 1)

    def path(attribute: str) -> str:
        parts: list[str] = []
        drawing = False
        for point in points:
            value = y(getattr(point, attribute))
            if value is None:
                if drawing:
                    parts.append(f"H{x(point.at)}")
                drawing = False
            elif drawing:
                parts.append(f"H{x(point.at)}V{value}")
            else:
                parts.append(f"M{x(point.at)},{value}")
                drawing = True
        return " ".join(parts)

    return Chart(
        width=width,
        height=height,
        inherent_path=path("inherent"),
        residual_path=path("residual"),
        dots=[(x(p.at), y(p.inherent), y(p.residual), p) for p in points],
        gridlines=[(y(score), score) for score in (5, 10, 15, 25)],
    )
