"""Planning input: what should go on a team's roadmap next quarter, ranked by value.

A risk belongs on the list for any of these reasons (a row names each that applies):

- *no mitigation*: open or mitigating, to be mitigated, and no mitigation that is not cancelled;
- *too big to accept*: expected to burn more than TOO_BIG_TO_ACCEPT_SHARE of the error budget;
- *due after the quarter*: critical or high, with open work due after the quarter ends;
- *keeps slipping*: critical or high, with open work whose date slipped twice or more;
- *acceptance expires*: accepted, and the acceptance runs out within the quarter.

Rows are ranked by the minutes a year the planned work would save (the estimate minus the
residual estimate, where both are given), then by expected bad minutes, then by score, so the
list can be cut at any value.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.domain.delivery import Quarter
from tracker.domain.lifecycle import in_treatment_sql, is_active_sql
from tracker.domain.mitigations import is_open_sql
from tracker.extensions import db
from tracker.models import Mitigation, Risk
from tracker.paging import Page, clamp_page
from tracker.risks.settings import ScoringSettings

REASONS = {
    "no_mitigation": "No mitigation",
    "too_big": "Too big to accept",
    "due_after": "Work due after the quarter",
    "slipping": "Work keeps slipping (2+ slips)",
    "acceptance_expiring": "Acceptance expires in the quarter",
}
SLIPS_THAT_KEEP_SLIPPING = 2


@dataclass(frozen=True)
class PlanningItem:
    risk: Risk
    reasons: list[str]
    bad_minutes: float | None
    minutes_saved: float | None


@dataclass(frozen=True)
class Planning(Page):
    """A page of the quarter's planning list (items are PlanningItem)."""

    quarter: Quarter


def minutes_saved_expression() -> sa.ColumnElement:
    """Estimate minus residual estimate, NULL unless both are given (never below zero)."""
    saved = Risk.bad_minutes_per_year - Risk.residual_bad_minutes_per_year
    return sa.case((saved < 0, 0.0), else_=saved)


def _reason_conditions(quarter: Quarter, settings: ScoringSettings) -> dict[str, sa.ColumnElement]:
    high_floor = settings.band_floors["high"]
    open_work = sa.and_(Mitigation.risk_id == Risk.id, is_open_sql(Mitigation.status))
    in_play = in_treatment_sql(Risk.status)
    too_big_minutes = settings.too_big_share * settings.error_budget_minutes
    return {
        "no_mitigation": sa.and_(
            in_play,
            Risk.treatment == "mitigate",
            ~sa.exists().where(Mitigation.risk_id == Risk.id, Mitigation.status != "cancelled"),
        ),
        "too_big": sa.and_(
            is_active_sql(Risk.status),
            Risk.bad_minutes_per_year > too_big_minutes,
        ),
        "due_after": sa.and_(
            in_play,
            Risk.score >= high_floor,
            sa.exists().where(open_work, Mitigation.due_date > quarter.last_day),
        ),
        "slipping": sa.and_(
            in_play,
            Risk.score >= high_floor,
            sa.exists().where(open_work, Mitigation.slip_count >= SLIPS_THAT_KEEP_SLIPPING),
        ),
        "acceptance_expiring": sa.and_(
            Risk.status == "accepted",
            Risk.acceptance_expires.between(quarter.first_day, quarter.last_day),
        ),
    }


def planning(
    quarter: Quarter,
    settings: ScoringSettings,
    team_id: int | None,
    page: int = 1,
    per_page: int = 100,
) -> Planning:
    """One page of the ranked planning list for the quarter, in two queries (count, rows)."""
    conditions = _reason_conditions(quarter, settings)
    flags = [sa.case((condition, 1), else_=0).label(name) for name, condition in conditions.items()]
    where = [Risk.archived_at.is_(None), sa.or_(*conditions.values())]
    if team_id is not None:
        where.append(Risk.team_id == team_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Risk).where(*where))
    page = clamp_page(page, total, per_page)
    saved = minutes_saved_expression()
    rows = db.session.execute(
        sa.select(Risk, saved.label("saved"), *flags)
        .where(*where)
        .options(joinedload(Risk.team), joinedload(Risk.owner))
        .order_by(
            saved.desc().nulls_last(),
            Risk.bad_minutes_per_year.desc().nulls_last(),
            Risk.score.desc(),
            Risk.number,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        PlanningItem(
            risk=row[0],
            reasons=[name for name, flag in zip(conditions, row[2:], strict=True) if flag],
            bad_minutes=row[0].bad_minutes_per_year,
            minutes_saved=None if row[1] is None else float(row[1]),
        )
        for row in rows
    ]
    return Planning(items=items, total=total, page=page, per_page=per_page, quarter=quarter)
