"""The ranked register, computed in the database by the rule in tracker.domain.ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.database import literal_limit
from tracker.domain import lifecycle, ranking
from tracker.domain.mitigations import is_open_sql, is_overdue_sql
from tracker.extensions import db
from tracker.mitigations.queries import count_per_risk
from tracker.models import DriftFlag, Mitigation, Risk
from tracker.risks.settings import ScoringSettings


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


def overdue_tally(today: date) -> sa.ColumnElement[int]:
    """SQL aggregate over Mitigation rows: how many are overdue
    (tracker.domain.mitigations.due_state), for a query that counts other work in the same
    pass (the review freeze)."""
    return sa.func.count().filter(is_overdue_sql(Mitigation.status, Mitigation.due_date, today))


def overdue_count(today: date) -> sa.ScalarSelect:
    """SQL, in a query over Risk: how many of the risk's mitigations are overdue. A subquery
    per risk rather than a join to every risk's count, so ranking a few risks costs a few
    risks' work whatever the register's size: each reads the risk's entries of
    ix_mitigations_risk_status_due."""
    return count_per_risk(is_overdue_sql(Mitigation.status, Mitigation.due_date, today))


def priority_order(
    today: date, overdue: sa.ColumnElement[int] | None = None
) -> tuple[sa.ColumnElement[int], tuple]:
    """The ranking rule (tracker.domain.ranking.order_sql) over Risk: the overdue-count column
    and the ORDER BY clauses, for an ORDER BY or a row_number() window alike. The overdue count
    is overdue_count()'s unless a query ranking every risk brings its own from overdue_tally()
    (one pass over the mitigations instead of a subquery per risk)."""
    overdue = overdue_count(today) if overdue is None else overdue
    order = ranking.order_sql(
        Risk.score,
        Risk.bad_minutes_per_year,
        overdue,
        Risk.next_review,
        Risk.number,
        today,
    )
    return overdue, order


def in_priority_order(query: sa.Select, today: date) -> tuple[sa.Select, sa.ColumnElement[int]]:
    """`query` (over Risk) ordered by the ranking rule (tracker.domain.ranking.order_sql); also
    returns the overdue-count column."""
    overdue, order = priority_order(today)
    return query.order_by(*order), overdue


def at_or_above(query: sa.Select, rows: int) -> sa.ColumnElement[bool]:
    """Condition on Risk: ranks no lower than the `rows`-th risk of `query` (a SELECT over
    Risk) by the ranking's first two keys — score, then bad minutes with unquantified risks
    last — ties included; every risk when `query` has fewer.

    The ranking orders by those keys first, so its first `rows` risks all meet this. Ranking
    only the risks that do, instead of every risk tied at their score (thousands in a large
    register: scores take 14 values), keeps a page's cost to what lies above it.
    """
    risks = query.order_by(None).subquery()
    nth = (
        sa.select(risks.c.score, risks.c.bad_minutes_per_year)
        .order_by(risks.c.score.desc(), risks.c.bad_minutes_per_year.desc().nulls_last())
        .limit(1)
        .offset(rows - 1)
        .cte("nth_ranked")
    )
    score = sa.func.coalesce(sa.select(nth.c.score).scalar_subquery(), 0)
    minutes = sa.select(nth.c.bad_minutes_per_year).scalar_subquery()
    return sa.and_(
        Risk.score >= score,
        # Below the n-th risk's score nothing qualifies; at it, what it does not rank above:
        # any bad minutes when its own are unquantified, else as many or more.
        sa.or_(Risk.score > score, minutes.is_(None), Risk.bad_minutes_per_year >= minutes),
    )


def ranked_query(today: date, team_id: int | None = None, first: int | None = None) -> sa.Select:
    """SELECT (Risk, overdue count) of the risks in treatment, in priority order; with `first`,
    only what the first `first` of that order can be drawn from (LIMIT it yourself)."""
    conditions = [lifecycle.in_treatment_sql(Risk.status), *active_risks(team_id)]
    if first is not None:
        conditions.append(at_or_above(sa.select(Risk).where(*conditions), first))
    query, overdue_count = in_priority_order(sa.select(Risk).where(*conditions), today)
    return query.add_columns(overdue_count)


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
        ranked_query(today, team_id, first=limit)
        .options(joinedload(Risk.team), joinedload(Risk.owner))
        .limit(literal_limit(limit))
    ).all()
    ids = [risk.id for risk, _ in rows]
    next_due: dict[int, Mitigation] = {}
    for mitigation in db.session.scalars(
        sa.select(Mitigation)
        .where(Mitigation.risk_id.in_(ids), is_open_sql(Mitigation.status))
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
