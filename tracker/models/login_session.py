"""Browser sessions, one row per sign-in, so that signing out ends one on the server."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random id the browser's (signed) session cookie carries: the table alone
    # does not let anyone make a cookie, and the lookup stays one indexed query.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (see tracker.auth.sessions), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person signs out, changes their password or is deactivated; never cleared.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
