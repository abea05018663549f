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


class ReviewEntry(db.Model):
    """One risk of a review's frozen register, at its rank (tracker.reviews.freeze). Rows, not
    a JSON document: a page reads only the ranks it shows, an export streams them, and "is this
    risk in the review" is one indexed lookup. Band, budget share and the ranking factors are
    not stored: they follow from these columns and the review's frozen settings."""

    __tablename__ = "review_entries"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "position", name="uq_review_entries_position"),
        sa.Index("ix_review_entries_key", "review_id", "risk_key"),
        sa.Index("ix_review_entries_team", "review_id", "team_slug", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id"))
    position: Mapped[int]
    risk_key: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    team_slug: Mapped[str] = mapped_column(sa.String(64))
    team_name: Mapped[str] = mapped_column(sa.String(120))
    owner: Mapped[str | None] = mapped_column(sa.String(120))
    owner_email: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(sa.String(16))
    treatment: Mapped[str] = mapped_column(sa.String(16))
    likelihood: Mapped[int]
    impact: Mapped[int]
    score: Mapped[int]
    # Frozen with the bands in force at the start: a later change of thresholds does not
    # rewrite what the review saw.
    band: Mapped[str] = mapped_column(sa.String(16))
    residual_score: Mapped[int | None]
    residual_band: Mapped[str | None] = mapped_column(sa.String(16))
    bad_minutes: Mapped[float | None]
    overdue_mitigations: Mapped[int] = mapped_column(default=0)
    open_mitigations: Mapped[int] = mapped_column(default=0)
    drift: Mapped[int] = mapped_column(default=0)
    next_review: Mapped[date | None]
    acceptance_expires: Mapped[date | None]


class ReviewMitigation(db.Model):
    """One mitigation of a frozen risk, as the review saw it; tied to its risk by the entry's
    position (so copying a review's rows needs no id mapping)."""

    __tablename__ = "review_mitigations"
    __table_args__ = (
        sa.Index("ix_review_mitigations_entry", "review_id", "entry_position", "position"),
        # The blocked work of a review, counted and listed in ranking order from the index.
        sa.Index(
            "ix_review_mitigations_status", "review_id", "status", "entry_position", "position"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id"))
    entry_position: Mapped[int]
    # The order among its risk's mitigations (the risk page's).
    position: Mapped[int]
    mitigation_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16))
    due_date: Mapped[date]
    original_due_date: Mapped[date]
    slip_count: Mapped[int] = mapped_column(default=0)
    # "overdue", "due_soon" or NULL on the review's day (tracker.domain.mitigations.due_state).
    due_state: Mapped[str | None] = mapped_column(sa.String(16))
    team_name: Mapped[str] = mapped_column(sa.String(120))
    # NULL for reviews frozen before it was kept (migration 0025 fills it for blocked work).
    team_slug: Mapped[str | None] = mapped_column(sa.String(64))
    owner: Mapped[str | None] = mapped_column(sa.String(120))
    # The notes of blocked work as they were (what it waits on is their last line,
    # tracker.domain.mitigations.blocker_note); NULL for other statuses.
    notes: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def label(self) -> str:
        return f"M-{self.mitigation_id}"
