"""Jira tickets linked to risks and mitigations, their cached state, drift, and sync runs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.mitigations import Mitigation
from tracker.models.risks import Risk
from tracker.models.types import UTCDateTime, utcnow


class JiraTicket(db.Model):
    """The last state the sync read of one Jira issue; Jira owns every field here."""

    __tablename__ = "jira_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str | None] = mapped_column(sa.String(120))
    status_category: Mapped[str | None] = mapped_column(sa.String(32))
    resolution: Mapped[str | None] = mapped_column(sa.String(120))
    assignee: Mapped[str | None] = mapped_column(sa.String(200))
    due_date: Mapped[date | None]
    fix_versions: Mapped[str] = mapped_column(sa.Text, default="")
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # planned / in_progress / done / cancelled, from the status category (see domain).
    state: Mapped[str | None] = mapped_column(sa.String(16))
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    broken: Mapped[bool] = mapped_column(default=False)
    broken_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # For a ticket with child issues (an epic's issues, sub-tasks): how many are done, of how
    # many. None when it has none (or the sync has not looked yet).
    children_done: Mapped[int | None]
    children_total: Mapped[int | None]

    links: Mapped[list[JiraLink]] = relationship(back_populates="ticket")


class JiraLink(db.Model):
    """A ticket linked to exactly one risk or one mitigation."""

    __tablename__ = "jira_links"
    __table_args__ = (
        sa.CheckConstraint("(risk_id IS NULL) <> (mitigation_id IS NULL)", name="links_one_item"),
        sa.UniqueConstraint("ticket_id", "risk_id", name="uq_jira_links_ticket_risk"),
        sa.UniqueConstraint("ticket_id", "mitigation_id", name="uq_jira_links_ticket_mitigation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("jira_tickets.id"), index=True)
    risk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("risks.id"), index=True)
    mitigation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mitigations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[JiraTicket] = relationship(back_populates="links")
    risk: Mapped[Risk | None] = relationship()
    mitigation: Mapped[Mitigation | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class DriftFlag(db.Model):
    """A standing disagreement between the tracker and Jira; the sync clears it once it ends."""

    __tablename__ = "drift_flags"
    # The drift page counts each kind and shows its oldest first: this index holds every
    # column those queries read, so they read it alone (see tracker.jira.queries).
    __table_args__ = (
        sa.Index("ix_drift_flags_by_kind", "kind", "first_seen", "id", "risk_id", "mitigation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(sa.ForeignKey("risks.id"), index=True)
    mitigation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mitigations.id"), index=True)
    ticket_key: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    # The two values that disagree, as the last sync saw them ("ticket due 2027-01-15,
    # mitigation due 2026-11-20"); see tracker.domain.jira_mapping.drift.
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    risk: Mapped[Risk] = relationship()
    mitigation: Mapped[Mitigation | None] = relationship()


class SyncRun(db.Model):
    """One run of the Jira sync: when, how long, what it read and changed, what failed."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # queued, running, succeeded, partial (some batches failed), failed, abandoned (its
    # process ended without finishing and its lease expired)
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    trigger: Mapped[str] = mapped_column(sa.String(16), default="cli")
    full: Mapped[bool] = mapped_column(default=False)
    dry_run: Mapped[bool] = mapped_column(default=False)
    deployment: Mapped[str | None] = mapped_column(sa.String(20))
    tickets_total: Mapped[int] = mapped_column(default=0)
    tickets_read: Mapped[int] = mapped_column(default=0)
    tickets_changed: Mapped[int] = mapped_column(default=0)
    mitigations_changed: Mapped[int] = mapped_column(default=0)
    links_broken: Mapped[int] = mapped_column(default=0)
    # Incidents read from Jira (JIRA_INCIDENT_JQL), and how many of them this run changed.
    incidents_read: Mapped[int] = mapped_column(default=0, server_default="0")
    incidents_changed: Mapped[int] = mapped_column(default=0, server_default="0")
    requests: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # The last thing worth telling while it runs, e.g. that Jira is busy and it will retry.
    progress: Mapped[str | None] = mapped_column(sa.String(300))
    problems: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SyncLock(db.Model):
    """A lease that lets one sync run at a time across every process sharing the database.

    A crashed holder's lease simply expires.
    """

    __tablename__ = "sync_locks"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
