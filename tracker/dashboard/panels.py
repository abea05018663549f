"""The dashboard's panels besides the ranking; each is a few grouped queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.dashboard.ranking import active_risks
from tracker.database import literal_limit
from tracker.domain.lifecycle import in_treatment_sql, is_active_sql, review_overdue_sql
from tracker.domain.mitigations import is_due_soon_sql, is_open_sql, is_overdue_sql
from tracker.extensions import db
from tracker.mitigations.queries import (
    needs_rescore_condition,
    no_live_mitigation_condition,
    of_live_risks,
)
from tracker.models import DriftFlag, Mitigation, Risk, RiskEvent, Team
from tracker.risks.settings import ScoringSettings

LIST_LIMIT = 10
# Headings of the needs-attention lists, shared by the dashboard and the digest.
ATTENTION_TITLES = {
    "overdue": "Overdue mitigations",
    "due_soon": "Mitigations due soon",
    "blocked": "Blocked mitigations",
    "no_owner": "Risks without an owner",
    "no_mitigation": "Risks to mitigate with no mitigation",
    "review_overdue": "Reviews overdue",
    "acceptance_expiring": "Acceptances expiring or expired",
    "rescore": "Mitigations complete, not re-scored",
}


@dataclass(frozen=True)
class HeatMap:
    """Risks per (likelihood, impact) cell, and those left out for having no score there (a
    residual not assessed)."""

    cells: dict[tuple[int, int], int]
    unassessed: int = 0


def heat_map(team_id: int | None, residual: bool = False) -> HeatMap:
    """Open risks per (likelihood, impact) cell, inherent or residual, in one query."""
    likelihood = Risk.residual_likelihood if residual else Risk.likelihood
    impact = Risk.residual_impact if residual else Risk.impact
    rows = db.session.execute(
        sa.select(likelihood, impact, sa.func.count())
        .where(is_active_sql(Risk.status), *active_risks(team_id))
        .group_by(likelihood, impact)
    )
    cells = {(l_, i): n for l_, i, n in rows}
    return HeatMap(cells, unassessed=cells.pop((None, None), 0))


@dataclass
class Budget:
    minutes: float
    accepted: float = 0.0
    unmitigated: float = 0.0
    quantified: int = 0
    too_big: list[Risk] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.accepted + self.unmitigated

    @property
    def share(self) -> float:
        return self.total / self.minutes


def budget(settings: ScoringSettings, team_id: int | None) -> Budget:
    """Expected bad minutes a year of the quantified risks still threatening, split into
    accepted and not, and those too big to accept."""
    result = Budget(minutes=settings.error_budget_minutes)
    is_accepted = Risk.status == "accepted"
    quantified = [
        is_active_sql(Risk.status),
        Risk.bad_minutes_per_year.isnot(None),
        *active_risks(team_id),
    ]
    for accepted, minutes, count in db.session.execute(
        sa.select(is_accepted, sa.func.sum(Risk.bad_minutes_per_year), sa.func.count())
        .where(*quantified)
        .group_by(is_accepted)
    ):
        result.quantified += count
        if accepted:
            result.accepted = float(minutes or 0)
        else:
            result.unmitigated = float(minutes or 0)
    threshold = settings.too_big_share * settings.error_budget_minutes
    result.too_big = list(
        db.session.scalars(
            sa.select(Risk)
            .where(*quantified, Risk.bad_minutes_per_year > threshold)
            .order_by(Risk.bad_minutes_per_year.desc())
            .limit(literal_limit(LIST_LIMIT))
        )
    )
    return result


@dataclass
class Listing:
    count: int
    items: list


def _items(query: sa.Select) -> list:
    return list(db.session.scalars(query.limit(literal_limit(LIST_LIMIT))).unique())


def _counts(model, where: list, lists: dict) -> list[int]:
    """How many rows of `model` meet `where` and each list's condition, in one query.

    Each count is a subquery of its own, so each reads only the index range its condition
    selects (the dashboard's covering indexes) instead of testing every condition on every
    row of the table.
    """
    counts = [
        sa.select(sa.func.count()).select_from(model).where(*where, condition).scalar_subquery()
        for condition in lists.values()
    ]
    return [int(count) for count in db.session.execute(sa.select(*counts)).one()]


def attention(today: date, due_soon_days: int, team_id: int | None) -> dict[str, Listing]:
    """Each needs-attention list: a count and the first few items.

    The counts come from two queries (one over mitigations, one over risks) rather than one
    query per list.
    """
    soon = today + timedelta(days=due_soon_days)
    status, due = Mitigation.status, Mitigation.due_date
    mitigation_lists = {
        "overdue": is_overdue_sql(status, due, today),
        "due_soon": is_due_soon_sql(status, due, today, due_soon_days),
        "blocked": status == "blocked",
    }
    in_treatment = in_treatment_sql(Risk.status)
    risk_lists = {
        "no_owner": sa.and_(in_treatment, Risk.owner_id.is_(None)),
        "no_mitigation": no_live_mitigation_condition(),
        "review_overdue": review_overdue_sql(Risk.status, Risk.next_review, today),
        "acceptance_expiring": sa.and_(Risk.status == "accepted", Risk.acceptance_expires <= soon),
        "rescore": needs_rescore_condition(),
    }
    mitigation_where = [is_open_sql(status), of_live_risks()]
    if team_id is not None:
        mitigation_where.append(Mitigation.team_id == team_id)
    mitigation_counts = _counts(Mitigation, mitigation_where, mitigation_lists)
    risk_counts = _counts(Risk, active_risks(team_id), risk_lists)
    result = {}
    for (name, condition), count in zip(mitigation_lists.items(), mitigation_counts, strict=True):
        query = (
            sa.select(Mitigation)
            .where(*mitigation_where, condition)
            .options(joinedload(Mitigation.risk), joinedload(Mitigation.team))
            .order_by(Mitigation.due_date, Mitigation.id)
        )
        result[name] = Listing(count, _items(query))
    orders = {
        "review_overdue": (Risk.next_review,),
        "acceptance_expiring": (Risk.acceptance_expires,),
    }
    for (name, condition), count in zip(risk_lists.items(), risk_counts, strict=True):
        query = (
            sa.select(Risk)
            .where(*active_risks(team_id), condition)
            .options(joinedload(Risk.team))
            .order_by(*orders.get(name, (Risk.score.desc(), Risk.number)))
        )
        result[name] = Listing(count, _items(query))
    return result


def drift_counts(team_id: int | None) -> dict[str, int]:
    """Drift flags of live risks (of one team, or all) by kind. For everyone, "not of an
    archived risk" is a short list read once, so the count reads the flags' kind index and
    nothing else; a team needs each flag's risk."""
    query = sa.select(DriftFlag.kind, sa.func.count()).group_by(DriftFlag.kind)
    if team_id is None:
        archived = sa.select(Risk.id).where(Risk.archived_at.isnot(None))
        query = query.where(DriftFlag.risk_id.not_in(archived))
    else:
        query = query.join(Risk, DriftFlag.risk_id == Risk.id).where(*active_risks(team_id))
    return dict(db.session.execute(query).all())


@dataclass
class TeamRow:
    team: Team
    bands: dict[str, int]
    overdue: int
    slips: int


def by_team(settings: ScoringSettings, today: date, now: datetime) -> list[TeamRow]:
    """Per team: open risks by band, overdue mitigations, due-date slips in the last 30 days."""
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.name)))
    bands: dict[int, dict[str, int]] = {}
    # Grouped by score (at most 25 rows a team), banded here. Once SQLite has statistics
    # (after ANALYZE) it reads a GROUP BY team_id through the index on team_id alone, for its
    # order, visiting every risk's row (66 ms at 50,000 risks); grouping by score + 0, which no
    # index orders, keeps it on the covering index the WHERE clause selects (9 ms).
    unordered_score = Risk.score + 0
    for team_id, score, count in db.session.execute(
        sa.select(Risk.team_id, unordered_score, sa.func.count())
        .where(is_active_sql(Risk.status), Risk.archived_at.is_(None))
        .group_by(unordered_score, Risk.team_id)
    ):
        team_bands = bands.setdefault(team_id, {})
        band = settings.band(score)
        team_bands[band] = team_bands.get(band, 0) + count
    overdue = dict(
        db.session.execute(
            sa.select(Mitigation.team_id, sa.func.count())
            .where(is_overdue_sql(Mitigation.status, Mitigation.due_date, today), of_live_risks())
            .group_by(Mitigation.team_id)
        ).all()
    )
    slips = dict(
        db.session.execute(
            sa.select(Mitigation.team_id, sa.func.count())
            .join(RiskEvent, RiskEvent.mitigation_id == Mitigation.id)
            .where(
                RiskEvent.field == "due_date",
                RiskEvent.new_value > RiskEvent.old_value,
                RiskEvent.at >= now - timedelta(days=30),
            )
            .group_by(Mitigation.team_id)
        ).all()
    )
    return [
        TeamRow(team, bands.get(team.id, {}), overdue.get(team.id, 0), slips.get(team.id, 0))
        for team in teams
    ]
