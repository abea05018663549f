"""Failed sign-in attempts, kept for the throttle window.

One row per failure (rather than a counter) so that several app processes can record failures
at once without a read-modify-write race.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class LoginFailure(db.Model):
    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_scope_key_time", "scope", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "account" (key: the email tried) or "address" (key: the client address).
    scope: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(254))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
