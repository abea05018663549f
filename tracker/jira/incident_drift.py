"""Where an incident read from Jira disagrees with Jira: the owned fields a person corrected
here that Jira says otherwise (see tracker.jira.incident_sync), for its page and the drift
page."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.history import display_value
from tracker.incidents.history import FIELD_LABELS
from tracker.jira.incident_issues import OWNED
from tracker.models import Incident, Team

DRIFT_PAGE_LIMIT = 100


@dataclass(frozen=True)
class FieldDrift:
    """One owned field: its label, the value kept here and what Jira says."""

    label: str
    here: str | None
    jira: str | None


def incident_drift(incident: Incident) -> list[FieldDrift]:
    """The owned fields whose value here is not what Jira said last (empty for an incident not
    read from Jira). Live: a correction shows before the next sync."""
    if not incident.jira_values:
        return []
    said = json.loads(incident.jira_values)
    return [
        FieldDrift(FIELD_LABELS[name], display_value(getattr(incident, name)), said.get(name))
        for name in OWNED
        if name in said and display_value(getattr(incident, name)) != said[name]
    ]


def drifting_incidents(team_slug: str | None = None) -> tuple[list[Incident], int]:
    """Incidents the last sync found disagreeing with Jira, latest start first: at most
    DRIFT_PAGE_LIMIT of them, and how many there are (two queries)."""
    query = sa.select(Incident).where(Incident.jira_drift != "")
    if team_slug:
        query = query.join(Team, Incident.team_id == Team.id).where(Team.slug == team_slug)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    incidents = db.session.scalars(
        query.options(joinedload(Incident.team))
        .order_by(Incident.started_at.desc(), Incident.number.desc())
        .limit(DRIFT_PAGE_LIMIT)
    ).all()
    return incidents, total
