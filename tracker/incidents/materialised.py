"""How often risks materialised as incidents, and the bad minutes those incidents cost."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.domain.incident_policy import estimate_looks_too_low_sql
from tracker.domain.lifecycle import is_active_sql
from tracker.extensions import db
from tracker.models import Incident, Risk, incident_risks

WINDOW_DAYS = 365


@dataclass(frozen=True)
class Materialised:
    """A risk's record in the window: how many incidents it caused and their impact minutes."""

    incidents: int = 0
    bad_minutes: float = 0.0


def _per_risk(since: datetime) -> sa.Select:
    """SELECT per risk id: `incidents` linked to it that started at or after `since`, and the
    sum of their impact minutes, `bad_minutes`."""
    return (
        sa.select(
            incident_risks.c.risk_id,
            sa.func.count(Incident.id).label("incidents"),
            sa.func.coalesce(sa.func.sum(Incident.impact_minutes), 0.0).label("bad_minutes"),
        )
        .join(Incident, Incident.id == incident_risks.c.incident_id)
        .where(Incident.started_at >= since)
        .group_by(incident_risks.c.risk_id)
    )


def materialised_since(risk_ids: Iterable[int], since: datetime) -> dict[int, Materialised]:
    """For each risk id, its linked incidents that started at or after `since` and the sum of
    their customer-impact minutes; risks without any are left out (one query)."""
    ids = list(risk_ids)
    if not ids:
        return {}
    rows = db.session.execute(_per_risk(since).where(incident_risks.c.risk_id.in_(ids)))
    return {risk_id: Materialised(count, float(minutes)) for risk_id, count, minutes in rows}


def record_last_year(now: datetime) -> sa.Subquery:
    """Subquery of every risk's record over the 365 days up to `now`: `risk_id`,
    `incidents`, `bad_minutes` (risks that never materialised have no row)."""
    return _per_risk(now - timedelta(days=WINDOW_DAYS)).subquery("materialised")


def estimate_too_low_condition(risk, record: sa.Subquery):
    """SQL: the live risk's (open, mitigating or accepted) estimate looks too low given its
    `record` row (tracker.domain.incident_policy.estimate_looks_too_low)."""
    return sa.and_(
        is_active_sql(risk.status),
        estimate_looks_too_low_sql(
            risk.likelihood, risk.bad_minutes_per_year, record.c.incidents, record.c.bad_minutes
        ),
    )


def estimate_too_low_ids(now: datetime) -> sa.Select:
    """SELECT of the ids of the live risks whose estimate looks too low at `now`, for an
    IN (…) condition of another query over risks (its own alias, so it never correlates)."""
    risk = aliased(Risk)
    record = record_last_year(now)
    return (
        sa.select(risk.id)
        .join(record, record.c.risk_id == risk.id)
        .where(estimate_too_low_condition(risk, record))
    )


def materialised_last_year(risk_ids: Iterable[int], now: datetime) -> dict[int, Materialised]:
    """`materialised_since` over the 365 days up to `now`."""
    return materialised_since(risk_ids, now - timedelta(days=WINDOW_DAYS))


def materialised_for(risk_id: int, now: datetime) -> Materialised:
    """One risk's record over the 365 days up to `now` (zero when it never materialised)."""
    return materialised_last_year([risk_id], now).get(risk_id, Materialised())


def latest_incidents_of(risk_id: int, limit: int = 10) -> list[Incident]:
    """The incidents that materialised the risk, latest start first (one query)."""
    return db.session.scalars(
        sa.select(Incident)
        .join(incident_risks, incident_risks.c.incident_id == Incident.id)
        .where(incident_risks.c.risk_id == risk_id)
        .order_by(Incident.started_at.desc())
        .limit(limit)
    ).all()
