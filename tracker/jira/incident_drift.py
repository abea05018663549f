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
from tracker.paging import Page, clamp_page


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


def _drifting(team_slug: str | None) -> sa.Select:
    query = sa.select(Incident).where(Incident.jira_drift != "")
    if team_slug:
        query = query.join(Team, Incident.team_id == Team.id).where(Team.slug == team_slug)
    return query


def drifting_count(team_slug: str | None = None) -> int:
    """How many incidents the last sync found disagreeing with Jira: one query."""
    query = _drifting(team_slug).with_only_columns(sa.func.count()).select_from(Incident)
    return db.session.scalar(query)


def drifting_incidents(
    team_slug: str | None = None, *, total: int, page: int = 1, per_page: int = 50
) -> Page:
    """One page of the incidents the last sync found disagreeing with Jira, latest start
    first, with their team: one query. `total` is drifting_count's; a page past the last
    gives the last."""
    page = clamp_page(page, total, per_page)
    incidents = db.session.scalars(
        _drifting(team_slug)
        .options(joinedload(Incident.team))
        .order_by(Incident.started_at.desc(), Incident.number.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(incidents), total=total, page=page, per_page=per_page)
