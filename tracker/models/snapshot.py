"""Weekly figures of the register, kept for the dashboard's trend chart."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class WeeklySnapshot(db.Model):
    """Open risks by band and total bad minutes in one ISO week, for everyone ("") or a team.

    The current week's row is refreshed whenever the dashboard is shown, so it ends the week
    holding the week's last figures.
    """

    __tablename__ = "weekly_snapshots"
    __table_args__ = (sa.UniqueConstraint("week", "scope", name="uq_weekly_snapshots_week_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date]  # the Monday
    scope: Mapped[str] = mapped_column(sa.String(64), default="")
    low: Mapped[int] = mapped_column(default=0)
    medium: Mapped[int] = mapped_column(default=0)
    high: Mapped[int] = mapped_column(default=0)
    critical: Mapped[int] = mapped_column(default=0)
    bad_minutes: Mapped[float] = mapped_column(default=0.0)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
