"""The weekly availability review: a frozen snapshot of the ranked register, what changed since
the previous review, and the decisions taken."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.types import UTCDateTime, utcnow

DECISION_KINDS = ("accept", "escalate", "rescore", "assign", "note")


class Review(db.Model):
    """One weekly review, open from its start until an admin finishes it."""

    __tablename__ = "reviews"
    __table_args__ = (sa.CheckConstraint("open_slot = 1", name="open_slot_one"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # 1 while the review is open, NULL once finished. Unique, so the database itself lets only
    # one review be open at a time, however many app processes start one at once.
    open_slot: Mapped[int | None] = mapped_column(unique=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # The last review finished before this one started; the changes are counted from its start.
    previous_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reviews.id"))
    # JSON, written once at the start (see tracker.reviews.snapshot and .changes): later edits to
    # risks never change what was reviewed. Deferred: lists of reviews do not need them.
    snapshot: Mapped[str] = mapped_column(sa.Text, deferred=True)
    changes: Mapped[str] = mapped_column(sa.Text, deferred=True)
    # Counted at the start, so the list of reviews shows them without reading the JSON.
    risk_count: Mapped[int] = mapped_column(default=0)
    change_count: Mapped[int] = mapped_column(default=0)

    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    finished_by: Mapped[User | None] = relationship(foreign_keys=[finished_by_id])
    previous: Mapped[Review | None] = relationship(remote_side=[id])
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review", order_by="ReviewDecision.id"
    )

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    def __repr__(self) -> str:
        return f"<Review {self.id} {'open' if self.is_open else 'finished'}>"


class ReviewDecision(db.Model):
    """A decision or note taken in a review about one risk. It records the decision only: acting
    on it (accepting the risk, re-scoring it, …) happens on the risk itself."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('accept', 'escalate', 'rescore', 'assign', 'note')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id"), index=True)
    # The key rather than the id: the snapshot names risks by key, and a risk archived later
    # still reads as the one decided on.
    risk_key: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Accept: until when.
    until: Mapped[date | None]
    # Assign: to whom.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="decisions")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
