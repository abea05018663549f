"""The score-over-time chart is rebuilt from the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.risks.charts import ScorePoint, score_points, step_chart
from tracker.risks.history import Change

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def change(days: int, field: str, old: str, new: str) -> Change:
    return Change(
        at=T0 + timedelta(days=days),
        actor="Ada",
        field=field,
        label=field,
        old=old,
        new=new,
        reason="",
    )


CURRENT = {"likelihood": 2, "impact": 4, "residual_likelihood": 1, "residual_impact": 2}


def test_points_undo_each_change_back_to_creation():
    timeline = [  # newest first, as the page reads it
        change(20, "likelihood", "4", "2"),
        change(10, "impact", "5", "4"),
        change(10, "residual_impact", "3", "2"),
        change(5, "title", "Old", "New"),
    ]
    points = score_points(CURRENT, T0, timeline, now=T0 + timedelta(days=30))
    assert points == [
        ScorePoint(T0, 20, 3),
        ScorePoint(T0 + timedelta(days=10), 16, 2),
        ScorePoint(T0 + timedelta(days=20), 8, 2),
        ScorePoint(T0 + timedelta(days=30), 8, 2),
    ]


def test_a_risk_never_rescored_is_a_flat_line_from_creation_to_now():
    points = score_points(CURRENT, T0, [], now=T0 + timedelta(days=3))
    assert [(p.inherent, p.residual) for p in points] == [(8, 2), (8, 2)]


def test_the_chart_steps_from_left_to_right_and_scales_scores_to_the_height():
    points = [ScorePoint(T0, 25, 5), ScorePoint(T0 + timedelta(days=10), 10, 5)]
    chart = step_chart(points, width=200, height=100, pad=0)
    assert chart.inherent_path == "M0.0,0.0 H200.0V60.0"
    assert chart.residual_path == "M0.0,80.0 H200.0V80.0"
