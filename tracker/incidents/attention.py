"""What incidents put on the dashboard's needs-attention lists: risks whose estimate looks too
low, reviews overdue, and incidents too big to leave without a follow-up.

The rules are tracker.domain.incident_policy's; each list is a count and its first few items,
in a constant number of queries. The incident lists' conditions also filter the Incidents page
(`?attention=`), so a list's "all" link shows exactly what it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.database import literal_limit
from tracker.domain.incident_policy import needs_follow_up_sql, review_overdue_sql
from tracker.extensions import db
from tracker.incidents.materialised import estimate_too_low_condition, record_last_year
from tracker.incidents.settings import review_days
from tracker.models import Incident, Mitigation, Risk

LIST_LIMIT = 10
# The incident lists, as the Incidents page's `attention` filter names them.
INCIDENT_LISTS = {
    "review_overdue": "Incident reviews overdue",
    "needs_follow_up": "Big incidents without a follow-up",
}
ESTIMATE_TOO_LOW_TITLE = "Estimates that look too low"


@dataclass
class Listing:
    """A count, and its first LIST_LIMIT items."""

    count: int
    items: list


@dataclass(frozen=True)
class Calibrated:
    """A risk whose estimate looks too low, with its record of the last 365 days."""

    risk: Risk
    incidents: int
    bad_minutes: float


def incident_condition(name: str, now: datetime, today: date):
    """SQL condition on Incident for the list `name` (a key of INCIDENT_LISTS)."""
    if name == "review_overdue":
        return review_overdue_sql(
            Incident.status, Incident.resolved_at, Incident.review_date, now, today, review_days()
        )
    has_follow_up = sa.exists().where(
        Mitigation.source_incident_id == Incident.id, Mitigation.status != "cancelled"
    )
    return needs_follow_up_sql(
        Incident.impact_minutes, has_follow_up, current_app.config["SLO_TARGET"]
    )


def incident_condition_now(name: str):
    """incident_condition at the app's current time."""
    return incident_condition(name, clock.now(), clock.today())


def incident_lists(team_id: int | None, now: datetime, today: date) -> dict[str, Listing]:
    """Each incident list of one team (or all), in three queries: the counts together, then
    the first items of each."""
    conditions = {name: incident_condition(name, now, today) for name in INCIDENT_LISTS}
    scope = [] if team_id is None else [Incident.team_id == team_id]
    counts = db.session.execute(
        sa.select(*[sa.func.count().filter(c) for c in conditions.values()])
        .select_from(Incident)
        .where(*scope)
    ).one()
    orders = {
        # The longest overdue first; the biggest first.
        "review_overdue": (Incident.resolved_at, Incident.number),
        "needs_follow_up": (Incident.impact_minutes.desc(), Incident.number.desc()),
    }
    result = {}
    for (name, condition), count in zip(conditions.items(), counts, strict=True):
        items = db.session.scalars(
            sa.select(Incident)
            .where(*scope, condition)
            .options(joinedload(Incident.team))
            .order_by(*orders[name])
            .limit(literal_limit(LIST_LIMIT))
        ).all()
        result[name] = Listing(int(count or 0), list(items))
    return result


def estimate_too_low(team_id: int | None, now: datetime) -> Listing:
    """Live risks (of one team, or all) whose estimate looks too low, the most minutes actually
    spent first, each with its record: one query (the count rides along as a window)."""
    record = record_last_year(now)
    where = [Risk.archived_at.is_(None), estimate_too_low_condition(Risk, record)]
    if team_id is not None:
        where.append(Risk.team_id == team_id)
    rows = db.session.execute(
        sa.select(Risk, record.c.incidents, record.c.bad_minutes, sa.func.count().over())
        .join(record, record.c.risk_id == Risk.id)
        .where(*where)
        .options(joinedload(Risk.team))
        .order_by(record.c.bad_minutes.desc(), record.c.incidents.desc(), Risk.number)
        .limit(literal_limit(LIST_LIMIT))
    ).all()
    return Listing(
        rows[0][3] if rows else 0,
        [Calibrated(risk, incidents, float(minutes)) for risk, incidents, minutes, _ in rows],
    )
