"""The columns of an audit event, shared by every record that keeps a history."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.models.accounts import User
from tracker.models.types import UTCDateTime, utcnow


class FieldChange:
    """One change to one field of a record: who, when, old → new, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # None when the tracker itself made the change (e.g. an acceptance expired).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The record's version once this change was saved.
    version: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    @declared_attr
    def actor(cls) -> Mapped[User | None]:
        return relationship(User)
