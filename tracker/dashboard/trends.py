"""Weekly figures for the trend chart: this week's are refreshed on every dashboard view."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.dashboard.ranking import active_risks
from tracker.domain import scoring
from tracker.domain.lifecycle import is_active_sql
from tracker.extensions import db
from tracker.models import Risk, WeeklySnapshot
from tracker.risks.settings import ScoringSettings

WEEKS = 12


def week_of(day: date) -> date:
    """The Monday of the ISO week."""
    return day - timedelta(days=day.weekday())


def _current_figures(settings: ScoringSettings, team_id: int | None) -> dict[str, float]:
    band = scoring.band_sql(Risk.score, settings.band_floors)
    figures: dict[str, float] = dict.fromkeys(scoring.BANDS, 0)
    figures["bad_minutes"] = 0.0
    for name, count, minutes in db.session.execute(
        sa.select(band, sa.func.count(), sa.func.sum(Risk.bad_minutes_per_year))
        .where(is_active_sql(Risk.status), *active_risks(team_id))
        .group_by(band)
    ):
        figures[name] = count
        figures["bad_minutes"] += float(minutes or 0)
    return figures


def _last_weeks(scope: str, this_week: date) -> list[WeeklySnapshot]:
    return list(
        db.session.scalars(
            sa.select(WeeklySnapshot)
            .where(
                WeeklySnapshot.scope == scope,
                WeeklySnapshot.week > this_week - timedelta(weeks=WEEKS),
            )
            .order_by(WeeklySnapshot.week)
        )
    )


def _holds(row: WeeklySnapshot | None, figures: dict[str, float]) -> bool:
    return row is not None and all(getattr(row, name) == value for name, value in figures.items())


def refresh_and_read(
    settings: ScoringSettings, scope: str, team_id: int | None
) -> list[WeeklySnapshot]:
    """Store this week's figures for `scope` ("" = everyone, else a team slug) and return the
    last WEEKS weeks, oldest first. Two queries when this week's row already holds the
    figures (most changes to the register move none of them: no write, no commit), else four.
    """
    this_week = week_of(clock.today())
    figures = _current_figures(settings, team_id)
    weeks = _last_weeks(scope, this_week)
    if _holds(next((row for row in weeks if row.week == this_week), None), figures):
        return weeks
    values = {**figures, "captured_at": clock.now()}
    updated = db.session.execute(
        sa.update(WeeklySnapshot)
        .where(WeeklySnapshot.week == this_week, WeeklySnapshot.scope == scope)
        .values(**values)
    )
    if updated.rowcount == 0:
        db.session.add(WeeklySnapshot(week=this_week, scope=scope, **values))
    try:
        db.session.commit()
    except IntegrityError:  # another request stored this week's row first; theirs will do
        db.session.rollback()
    return _last_weeks(scope, this_week)
