"""What a review freezes of the incidents: the error budget spent per window (for all teams and
each team), the incidents since the previous review, the follow-ups created since, and the
incidents still without a review — as plain JSON-ready data, in five queries.

The window is the changes' (tracker.reviews.changes): from the start of the previous finished
review to now; the first review's is the whole history. Long lists keep their first
LIST_LIMIT entries and their count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.database import epoch_seconds
from tracker.domain.error_budget import Span, WindowBudget, overlaps_window_sql, window_budgets
from tracker.domain.incident_policy import review_overdue
from tracker.extensions import db
from tracker.incidents.budget import YEAR_DAYS
from tracker.incidents.settings import review_days
from tracker.models import Incident, Mitigation, Risk, Team

LIST_LIMIT = 100
SECTIONS = ("new", "follow_ups", "unreviewed")


def _windows(windows: list[WindowBudget]) -> list[dict]:
    return [
        {
            "days": w.days,
            "allowed_minutes": w.allowed_minutes,
            "spent_minutes": w.spent_minutes,
            "remaining_minutes": w.remaining_minutes,
            "burn_rate": w.burn_rate,
            "availability": w.availability,
            "exhausted": w.exhausted,
        }
        for w in windows
    ]


def _budgets(now: datetime, slo: float) -> dict:
    """The windows for all teams and for each team, from one query of spans."""
    since = now - timedelta(days=YEAR_DAYS)
    rows = db.session.connection().execute(
        sa.select(
            Incident.team_id,
            epoch_seconds(Incident.started_at),
            epoch_seconds(Incident.resolved_at),
            Incident.impact_minutes,
        ).where(
            overlaps_window_sql(Incident.started_at, Incident.resolved_at, since, now),
            Incident.impact_minutes > 0,
        )
    )
    by_team: dict[int, list[Span]] = defaultdict(list)
    for team_id, start, end, minutes in rows:
        by_team[team_id].append(Span(start, end, minutes))
    teams = db.session.execute(sa.select(Team.id, Team.slug)).all()
    return {
        "windows": _windows(
            window_budgets([s for spans in by_team.values() for s in spans], now, slo)
        ),
        "by_team": {
            slug: _windows(window_budgets(by_team.get(team_id, []), now, slo))
            for team_id, slug in teams
        },
    }


def _incident_entry(incident: Incident, now: datetime, today: date, days: int) -> dict:
    return {
        "key": incident.key,
        "title": incident.title,
        "team_slug": incident.team.slug,
        "team": incident.team.name,
        "severity": incident.severity,
        "status": incident.status,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "impact_minutes": incident.impact_minutes,
        "review_date": incident.review_date.isoformat() if incident.review_date else None,
        "review_overdue": review_overdue(
            incident.status, incident.resolved_at, incident.review_date, now, today, days
        ),
    }


def _follow_up_entry(m: Mitigation) -> dict:
    return {
        "label": m.label,
        "title": m.title,
        "incident": m.source_incident.key,
        "horizon": m.horizon,
        "risk_key": m.risk.key,
        "team_slug": m.team.slug,
        "team": m.team.name,
        "risk_team_slug": m.risk.team.slug,
        "status": m.status,
        "due_date": m.due_date.isoformat(),
    }


def _listed(query: sa.Select, entry) -> dict:
    """A section: the count of what `query` selects, and its first LIST_LIMIT as entries."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    items = db.session.scalars(query.limit(LIST_LIMIT)).unique()
    return {"count": total, "items": [entry(item) for item in items]}


def freeze(since: datetime | None, now: datetime, today: date, slo: float) -> dict:
    """The incidents part of a review started at `now`, counting from `since` (None: the whole
    history)."""
    days = review_days()
    new = sa.select(Incident).options(joinedload(Incident.team))
    if since is not None:
        new = new.where(sa.or_(Incident.started_at > since, Incident.created_at > since))
    follow_ups = (
        sa.select(Mitigation)
        .where(Mitigation.source_incident_id.isnot(None))
        .options(
            joinedload(Mitigation.source_incident),
            joinedload(Mitigation.risk).joinedload(Risk.team),
            joinedload(Mitigation.team),
        )
        .order_by(Mitigation.created_at.desc(), Mitigation.id.desc())
    )
    if since is not None:
        follow_ups = follow_ups.where(Mitigation.created_at > since)
    unreviewed = (
        sa.select(Incident)
        .where(
            Incident.status != "closed",
            Incident.resolved_at.isnot(None),
            sa.or_(Incident.review_date.is_(None), Incident.review_date > today),
        )
        .options(joinedload(Incident.team))
        .order_by(Incident.resolved_at, Incident.number)
    )

    def incident(item: Incident) -> dict:
        return _incident_entry(item, now, today, days)

    return {
        "slo": slo,
        "review_days": days,
        "budget": _budgets(now, slo),
        # Latest first, so a long first review keeps the most recent.
        "new": _listed(new.order_by(Incident.started_at.desc(), Incident.number.desc()), incident),
        "follow_ups": _listed(follow_ups, _follow_up_entry),
        "unreviewed": _listed(unreviewed, incident),
    }
