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

from tracker import figures_cache
from tracker.domain.delivery import Quarter
from tracker.domain.lifecycle import in_treatment_sql, is_active_sql
from tracker.domain.mitigations import is_open_sql
from tracker.extensions import db
from tracker.mitigations.queries import no_live_mitigation_condition
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
        "no_mitigation": no_live_mitigation_condition(),
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


def _ranked(
    quarter: Quarter, settings: ScoringSettings, team_id: int | None
) -> list[tuple[int, tuple[str, ...], float | None]]:
    """(risk id, reasons, minutes saved) of every risk on the list, ranked: one query.

    Each live risk's reasons are worked out once, in a CTE, and the list keeps the risks with
    any: written as a filter on the same conditions, PostgreSQL would test every reason twice
    (and build each EXISTS's hash of the mitigations twice). PostgreSQL inlines a CTE read
    once unless told MATERIALIZED; SQLite gets the same result either way.
    """
    conditions = _reason_conditions(quarter, settings)
    live = [Risk.archived_at.is_(None)]
    if team_id is not None:
        live.append(Risk.team_id == team_id)
    reasons = (
        sa.select(
            Risk.id,
            minutes_saved_expression().label("saved"),
            Risk.bad_minutes_per_year,
            Risk.score,
            Risk.number,
            *(sa.case((test, 1), else_=0).label(name) for name, test in conditions.items()),
        )
        .where(*live)
        .cte("reasons")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    flags = [reasons.c[name] for name in conditions]
    rows = db.session.execute(
        sa.select(reasons.c.id, reasons.c.saved, *flags)
        .where(sa.or_(*(flag == 1 for flag in flags)))
        .order_by(
            reasons.c.saved.desc().nulls_last(),
            reasons.c.bad_minutes_per_year.desc().nulls_last(),
            reasons.c.score.desc(),
            reasons.c.number,
        )
    )
    return [
        (
            row[0],
            tuple(name for name, flag in zip(conditions, row[2:], strict=True) if flag),
            None if row[1] is None else float(row[1]),
        )
        for row in rows
    ]


def ranked(
    quarter: Quarter, settings: ScoringSettings, team_id: int | None
) -> list[tuple[int, tuple[str, ...], float | None]]:
    """The whole ranked list as (risk id, reasons, minutes saved), computed once per change to
    the register and kept in figures_cache: whether a risk is on the list asks every live
    risk, so no page should ask it again. The key holds the settings the reasons read."""
    thresholds = (settings.band_floors["high"], settings.too_big_share)
    return figures_cache.cache().figures(
        "roadmap-planning",
        (quarter, team_id, *thresholds, settings.error_budget_minutes),
        lambda: _ranked(quarter, settings, team_id),
    )


def planning(
    quarter: Quarter,
    settings: ScoringSettings,
    team_id: int | None,
    page: int = 1,
    per_page: int = 100,
) -> Planning:
    """One page of the ranked planning list for the quarter: the register's version (and the
    ranked list when the register changed since it was ranked), then the page's risks with
    their team and owner. A page past the last gives the last."""
    ranking = ranked(quarter, settings, team_id)
    page = clamp_page(page, len(ranking), per_page)
    items = items_of(ranking[(page - 1) * per_page : page * per_page])
    return Planning(items=items, total=len(ranking), page=page, per_page=per_page, quarter=quarter)


def items_of(ranking: list[tuple[int, tuple[str, ...], float | None]]) -> list[PlanningItem]:
    """The rows of part of a ranked list (see ranked), with each risk, its team and its
    owner: one query."""
    risks = {
        risk.id: risk
        for risk in db.session.scalars(
            sa.select(Risk)
            .where(Risk.id.in_([risk_id for risk_id, _, _ in ranking]))
            .options(joinedload(Risk.team), joinedload(Risk.owner))
        ).unique()
    }
    return [
        PlanningItem(
            risk=risks[risk_id],
            reasons=list(reasons),
            bad_minutes=risks[risk_id].bad_minutes_per_year,
            minutes_saved=saved,
        )
        for risk_id, reasons, saved in ranking
        if risk_id in risks
    ]
