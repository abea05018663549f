"""Mitigations: the pieces of roadmap work that lower a risk."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.mitigations import HORIZONS, OPEN_STATUSES, STATUSES
from tracker.extensions import db
from tracker.models.accounts import Team, User
from tracker.models.risks import Risk
from tracker.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.incidents import Incident

MITIGATION_STATUSES = STATUSES
MITIGATION_HORIZONS = HORIZONS
OPEN_MITIGATION_STATUSES = OPEN_STATUSES


class Mitigation(db.Model):
    __tablename__ = "mitigations"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'blocked', 'done', 'cancelled')",
            name="status_known",
        ),
        # "My teams" and the overdue lists read open mitigations of a team by due date.
        # My teams counts a team's open work by due date, leaving out archived risks' work;
        # with the risk in it, this index answers without the table.
        sa.Index("ix_mitigations_team_status_due_risk", "team_id", "status", "due_date", "risk_id"),
        # The dashboard asks of every risk whether it has open, done or live mitigations and
        # how many are overdue; this index answers those without reading the table.
        sa.Index("ix_mitigations_risk_status_due", "risk_id", "status", "due_date"),
        # The dashboard counts open mitigations by due date (overdue, due soon) for everyone
        # and per team; with the team and risk in it, this index answers without the table.
        sa.Index("ix_mitigations_status_due", "status", "due_date", "team_id", "risk_id"),
        sa.CheckConstraint("horizon IN ('short', 'long')", name="horizon_known"),
        # A follow-up of an incident says whether it is an action item or a strategic change.
        sa.CheckConstraint(
            "source_incident_id IS NULL OR horizon IS NOT NULL", name="follow_up_has_horizon"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(sa.ForeignKey("risks.id"))
    # Order on the risk's page; the risk's owner arranges it.
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    due_date: Mapped[date] = mapped_column(index=True)
    # The first due date, kept to show how far the work slipped.
    original_due_date: Mapped[date]
    # How many times the due date moved later; stored so lists show it without the history.
    slip_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="planned", index=True)
    completed_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # With linked tickets, take the status from them (the sync does); otherwise only flag drift.
    follow_jira: Mapped[bool] = mapped_column(default=True)
    # Claimed by the first "create Jira ticket" request, so a retry cannot create a second one.
    jira_create_token: Mapped[str | None] = mapped_column(sa.String(64))
    # Set on an incident's follow-ups: the incident whose review asked for this work.
    source_incident_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incidents.id"), index=True
    )
    # "short" (an action item) or "long" (a strategic change); required with a source incident.
    horizon: Mapped[str | None] = mapped_column(sa.String(8))

    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    risk: Mapped[Risk] = relationship(back_populates="mitigations")
    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    source_incident: Mapped[Incident | None] = relationship(back_populates="follow_ups")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MITIGATION_STATUSES

    @property
    def slip_days(self) -> int:
        """Days the due date moved from the first one (negative when pulled in)."""
        return (self.due_date - self.original_due_date).days

    @property
    def label(self) -> str:
        return f"M-{self.id}"

    def __repr__(self) -> str:
        return f"<Mitigation {self.id} of risk {self.risk_id}>"
