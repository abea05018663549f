"""Recording changes to incidents as audit events, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.extensions import db
from tracker.history import Change, as_change, field_events
from tracker.models import Incident, IncidentEvent, User

FIELD_LABELS = {
    "created": "Created",
    "title": "Title",
    "summary": "Summary",
    "severity": "Severity",
    "services": "Services",
    "team": "Team",
    "commander": "Commander",
    "started_at": "Started",
    "detected_at": "Detected",
    "resolved_at": "Resolved",
    "impact_minutes": "Impact minutes",
    "impact_share": "Share of users",
    "review_url": "Review document",
    "review_date": "Review date",
    "status": "Status",
    "linked_risk": "Risk linked",
    "unlinked_risk": "Risk unlinked",
}


def record(
    incident: Incident,
    actor: User | None,
    changes: Iterable[tuple[str, object, object]],
    reason: str = "",
    at: datetime | None = None,
    *,
    flush: bool = True,
) -> list[IncidentEvent]:
    """Add one event per (field, old, new) whose displayed value changed.

    Flushes the incident first, so each event carries the version the change produced
    (`flush` False: the caller has flushed it since the change).
    """
    if flush:
        db.session.flush()
    events = field_events(
        IncidentEvent,
        changes,
        actor=actor,
        version=incident.version,
        reason=reason,
        at=at or clock.now(),
        incident=incident,
    )
    db.session.add_all(events)
    return events


def timeline(incident: Incident) -> list[Change]:
    """Every change to the incident, newest first (two queries)."""
    events = db.session.scalars(
        sa.select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .options(selectinload(IncidentEvent.actor))
        .order_by(IncidentEvent.at.desc(), IncidentEvent.id.desc())
    )
    return [as_change(event, FIELD_LABELS) for event in events]


def changes_since(incident: Incident, version: int) -> list[Change]:
    """What was saved to the incident after `version`, oldest first: shown when an edit comes
    in stale."""
    events = db.session.scalars(
        sa.select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id, IncidentEvent.version > version)
        .options(selectinload(IncidentEvent.actor))
        .order_by(IncidentEvent.id)
    )
    return [as_change(event, FIELD_LABELS) for event in events]
