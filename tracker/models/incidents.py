"""Incidents: what did hurt availability, the risks they materialised, and their history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.incidents import STATUSES
from tracker.extensions import db
from tracker.models.accounts import Team, User
from tracker.models.events import FieldChange
from tracker.models.risks import Risk
from tracker.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.mitigations import Mitigation

INCIDENT_KEY_PREFIX = "INC-"
INCIDENT_STATUSES = STATUSES

incident_risks = sa.Table(
    "incident_risks",
    db.metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("risk_id", sa.ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "risks of an incident"; this serves "incidents of a risk".
    sa.Index("ix_incident_risks_risk_id", "risk_id"),
)


class IncidentService(db.Model):
    """One service an incident affected. A row per service (rather than a list in a column)
    lets both databases filter incidents by service with an index."""

    __tablename__ = "incident_services"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True, index=True)


class Incident(db.Model):
    """Something that did hurt availability: when, for how long, how badly, and what followed."""

    __tablename__ = "incidents"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'reviewing', 'closed')", name="status_known"),
        sa.CheckConstraint("impact_minutes >= 0", name="impact_not_negative"),
        sa.CheckConstraint("impact_share BETWEEN 0 AND 1", name="impact_share_is_share"),
        # The list filters a team's incidents by when they started.
        sa.Index("ix_incidents_team_started", "team_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The n of the human key INC-n; numbers are never reused (incidents are never deleted).
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # One of INCIDENT_SEVERITIES; not a database constraint, since the levels are configurable.
    severity: Mapped[str] = mapped_column(sa.String(32), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    commander_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Customer-impact minutes: the duration weighted by the share of users affected.
    impact_minutes: Mapped[float]
    # Set when the impact was given as a share of users; the minutes then follow the duration.
    impact_share: Mapped[float | None]

    review_url: Mapped[str] = mapped_column(sa.String(500), default="")
    review_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)

    # Read from Jira by the sync (JIRA_INCIDENT_JQL): the key, what Jira last gave for
    # the fields it owns (JSON: field → shown value), the fields where the tracker keeps a
    # person's correction that Jira disagrees with (comma-separated), and since when the sync
    # no longer finds the issue. See tracker.jira.incident_sync.
    jira_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    jira_values: Mapped[str | None] = mapped_column(sa.Text)
    jira_drift: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", index=True
    )
    jira_gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    commander: Mapped[User | None] = relationship(foreign_keys=[commander_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    service_rows: Mapped[list[IncidentService]] = relationship(
        cascade="all, delete-orphan", order_by=IncidentService.name
    )
    risks: Mapped[list[Risk]] = relationship(secondary=incident_risks, order_by=Risk.number)
    follow_ups: Mapped[list[Mitigation]] = relationship(
        back_populates="source_incident", order_by="Mitigation.due_date, Mitigation.id"
    )

    # Each UPDATE checks the version it read, so two processes cannot both save over one
    # version of an incident.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def key(self) -> str:
        return f"{INCIDENT_KEY_PREFIX}{self.number}"

    @property
    def services(self) -> list[str]:
        return [row.name for row in self.service_rows]

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    def __repr__(self) -> str:
        return f"<Incident {self.key}>"


class IncidentEvent(FieldChange, db.Model):
    """One change to one field of an incident."""

    __tablename__ = "incident_events"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )

    incident: Mapped[Incident] = relationship()
