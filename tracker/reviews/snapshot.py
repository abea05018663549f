"""The ranked register at the start of a review, frozen in the database.

Every risk still threatening availability (open, mitigating or accepted, not archived) becomes
a row of review_entries at its rank in the register's priority order — the dashboard's rule,
see tracker.domain.ranking — and each of its mitigations a row of review_mitigations. Both are
written by INSERT … SELECT with row_number() over that order, so freezing costs a few
statements whatever the register's size and no risk passes through Python. The small parts
(error-budget totals, delivery) stay a JSON document on the review. Written once
and never recomputed, so later edits do not change what a review saw.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.dashboard import panels
from tracker.dashboard.ranking import overdue_tally, priority_order
from tracker.domain import mitigations as mitigation_rules
from tracker.domain.lifecycle import is_active_sql
from tracker.domain.scoring import band_sql
from tracker.extensions import db
from tracker.models import DriftFlag, Mitigation, ReviewEntry, ReviewMitigation, Risk, Team, User
from tracker.models.risks import KEY_PREFIX
from tracker.risks.settings import ScoringSettings
from tracker.roadmap.summary import delivery_snapshot

# 3: the risks, their mitigations and the blocked work are rows; 1 kept the risks and 2 the
# blocked work in the document (moved by migrations 0022 and 0025).
FORMAT = 3


def _key_sql(number: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """SQL of Risk.key: 'RISK-' and the number."""
    return sa.literal(KEY_PREFIX, sa.String) + sa.cast(number, sa.String)


def _per_risk(condition=None, table=Mitigation) -> sa.Subquery:
    query = sa.select(table.risk_id, sa.func.count().label("n")).group_by(table.risk_id)
    return (query if condition is None else query.where(condition)).subquery()


def freeze_entries(review_id: int, settings: ScoringSettings, today: date) -> int:
    """Insert the review's ranked risks; return how many. One statement."""
    # Every risk is ranked: its open and overdue work counted in one pass over the mitigations.
    open_work = (
        sa.select(
            Mitigation.risk_id, sa.func.count().label("n"), overdue_tally(today).label("overdue")
        )
        .where(mitigation_rules.is_open_sql(Mitigation.status))
        .group_by(Mitigation.risk_id)
        .subquery()
    )
    overdue_count, order = priority_order(today, sa.func.coalesce(open_work.c.overdue, 0))
    drift = _per_risk(table=DriftFlag)
    floors = settings.band_floors
    columns = {
        "review_id": sa.literal(review_id, sa.Integer),
        "position": sa.func.row_number().over(order_by=order),
        "risk_key": _key_sql(Risk.number),
        "title": Risk.title,
        "team_slug": Team.slug,
        "team_name": Team.name,
        "owner": User.display_name,
        "owner_email": User.email,
        "status": Risk.status,
        "treatment": Risk.treatment,
        "likelihood": Risk.likelihood,
        "impact": Risk.impact,
        "score": Risk.score,
        "band": band_sql(Risk.score, floors),
        "residual_score": Risk.residual_score,
        "residual_band": band_sql(Risk.residual_score, floors),
        "bad_minutes": Risk.bad_minutes_per_year,
        "overdue_mitigations": overdue_count,
        "open_mitigations": sa.func.coalesce(open_work.c.n, 0),
        "drift": sa.func.coalesce(drift.c.n, 0),
        "next_review": Risk.next_review,
        "acceptance_expires": Risk.acceptance_expires,
    }
    select = (
        sa.select(*[value.label(name) for name, value in columns.items()])
        .select_from(Risk)
        .join(Team, Team.id == Risk.team_id)
        .outerjoin(User, User.id == Risk.owner_id)
        .outerjoin(open_work, open_work.c.risk_id == Risk.id)
        .outerjoin(drift, drift.c.risk_id == Risk.id)
        .where(Risk.archived_at.is_(None), is_active_sql(Risk.status))
    )
    db.session.execute(sa.insert(ReviewEntry.__table__).from_select(list(columns), select))
    # Counted, not the INSERT's rowcount: drivers do not all report it for INSERT … SELECT.
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewEntry)
        .where(ReviewEntry.review_id == review_id)
    )


def freeze_mitigations(review_id: int, today: date, due_soon_days: int) -> None:
    """Insert the mitigations of the review's risks, tied to their entries by position. One
    statement; each finds its entry through the (review, key) index."""
    entry = aliased(ReviewEntry)
    owner = aliased(User)
    columns = {
        "review_id": sa.literal(review_id, sa.Integer),
        "entry_position": entry.position,
        "position": sa.func.row_number().over(
            partition_by=Mitigation.risk_id, order_by=(Mitigation.position, Mitigation.id)
        ),
        "mitigation_id": Mitigation.id,
        "title": Mitigation.title,
        "status": Mitigation.status,
        "due_date": Mitigation.due_date,
        "original_due_date": Mitigation.original_due_date,
        "slip_count": Mitigation.slip_count,
        "due_state": mitigation_rules.due_state_sql(
            Mitigation.status, Mitigation.due_date, today, due_soon_days
        ),
        "team_name": Team.name,
        "team_slug": Team.slug,
        "owner": owner.display_name,
        "notes": sa.case((Mitigation.status == "blocked", Mitigation.notes), else_=sa.null()),
    }
    select = (
        sa.select(*[value.label(name) for name, value in columns.items()])
        .select_from(Mitigation)
        .join(Risk, Risk.id == Mitigation.risk_id)
        .join(entry, sa.and_(entry.review_id == review_id, entry.risk_key == _key_sql(Risk.number)))
        .join(Team, Team.id == Mitigation.team_id)
        .outerjoin(owner, owner.id == Mitigation.owner_id)
    )
    db.session.execute(sa.insert(ReviewMitigation.__table__).from_select(list(columns), select))


def take(
    review_id: int, settings: ScoringSettings, today: date, now: datetime, due_soon_days: int
) -> tuple[dict, int]:
    """Freeze the register for review `review_id` (its row must exist) and return the small
    parts as a JSON-ready document, with the number of risks frozen; a constant number of
    statements whatever the register's size."""
    count = freeze_entries(review_id, settings, today)
    freeze_mitigations(review_id, today, due_soon_days)
    totals = panels.budget(settings, None)
    document = {
        "format": FORMAT,
        "taken_at": now.isoformat(),
        "today": today.isoformat(),
        "due_soon_days": due_soon_days,
        "slo": settings.slo,
        "too_big_share": settings.too_big_share,
        "budget": {
            "minutes": totals.minutes,
            "accepted": totals.accepted,
            "unmitigated": totals.unmitigated,
            "total": totals.total,
            "share": totals.share,
            "quantified": totals.quantified,
            "too_big": [risk.key for risk in totals.too_big],
        },
        "delivery": delivery_snapshot(today),
        # The blocked work is in review_mitigations (status "blocked", with its notes).
        "blocked_rows": True,
    }
    return document, count
