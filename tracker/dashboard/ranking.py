"""The ranked register, computed in the database by the rule in tracker.domain.ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.database import literal_limit
from tracker.domain import ranking
from tracker.domain.mitigations import OPEN_STATUSES
from tracker.extensions import db
from tracker.models import DriftFlag, Mitigation, Risk
from tracker.risks.settings import ScoringSettings

RANKED_STATUSES = ("open", "mitigating")


@dataclass(frozen=True)
class RankedRisk:
    position: int
    risk: Risk
    overdue_mitigations: int
    factors: list[str]
    band: str
    budget_share: float | None
    next_mitigation: Mitigation | None
    drift: int


def active_risks(team_id: int | None = None):
    """Conditions on Risk: in the register, not archived, optionally of one team."""
    conditions = [Risk.archived_at.is_(None)]
    if team_id is not None:
        conditions.append(Risk.team_id == team_id)
    return conditions


def overdue_counts(today: date):
    """Subquery: open mitigations due before today, per risk."""
    return (
        sa.select(Mitigation.risk_id, sa.func.count().label("overdue"))
        .where(Mitigation.status.in_(OPEN_STATUSES), Mitigation.due_date < today)
        .group_by(Mitigation.risk_id)
        .subquery()
    )


def priority_order(overdue_count) -> tuple:
    """ORDER BY of the ranking rule (tracker.domain.ranking.sort_key), for any query that has
    joined overdue_counts()."""
    return (
        Risk.score.desc(),
        Risk.bad_minutes_per_year.desc().nulls_last(),
        overdue_count.desc(),
        Risk.next_review.asc(),
        Risk.number.asc(),
    )


def ranked_query(today: date, team_id: int | None = None) -> sa.Select:
    """SELECT (Risk, overdue count) in priority order — the SQL form of ranking.sort_key."""
    overdue = overdue_counts(today)
    overdue_count = sa.func.coalesce(overdue.c.overdue, 0)
    return (
        sa.select(Risk, overdue_count)
        .outerjoin(overdue, overdue.c.risk_id == Risk.id)
        .where(Risk.status.in_(RANKED_STATUSES), *active_risks(team_id))
        .order_by(*priority_order(overdue_count))
    )


def factors_of(risk: Risk, band: str, overdue: int, share: float | None, today: date) -> list[str]:
    """Why the risk ranks where it does, in words (tracker.domain.ranking.factors)."""
    entry = ranking.RankInput(
        risk.number,
        risk.key,
        band,
        risk.score,
        risk.bad_minutes_per_year,
        overdue,
        risk.next_review,
    )
    return ranking.factors(entry, today, share)


def top_risks(
    settings: ScoringSettings, today: date, team_id: int | None = None, limit: int = 10
) -> list[RankedRisk]:
    """The first `limit` risks of the ranking with their factors, next due mitigation and drift
    count, in three queries."""
    rows = db.session.execute(
        ranked_query(today, team_id)
        .options(joinedload(Risk.team), joinedload(Risk.owner))
        .limit(literal_limit(limit))
    ).all()
    ids = [risk.id for risk, _ in rows]
    next_due: dict[int, Mitigation] = {}
    for mitigation in db.session.scalars(
        sa.select(Mitigation)
        .where(Mitigation.risk_id.in_(ids), Mitigation.status.in_(OPEN_STATUSES))
        .order_by(Mitigation.due_date, Mitigation.id)
    ):
        next_due.setdefault(mitigation.risk_id, mitigation)
    drift = dict(
        db.session.execute(
            sa.select(DriftFlag.risk_id, sa.func.count())
            .where(DriftFlag.risk_id.in_(ids))
            .group_by(DriftFlag.risk_id)
        ).all()
    )
    ranked = []
    for position, (risk, overdue) in enumerate(rows, start=1):
        band = settings.band(risk.score)
        share = settings.budget_share(risk.bad_minutes_per_year)
        ranked.append(
            RankedRisk(
                position,
                risk,
                overdue,
                factors_of(risk, band, overdue, share, today),
                band,
                share,
                next_due.get(risk.id),
                drift.get(risk.id, 0),
            )
        )
    return ranked
