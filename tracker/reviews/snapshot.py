"""The ranked register at the start of a review, as plain JSON-ready data.

The snapshot lists every risk still threatening availability (open, mitigating or accepted, not
archived) in the register's priority order — the dashboard's rule, see tracker.domain.ranking —
with the factors that place it, its mitigations, and the error-budget totals. It is written once
and never recomputed, so later edits do not change what a review saw.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.dashboard import panels
from tracker.dashboard.ranking import factors_of
from tracker.domain import mitigations as mitigation_rules
from tracker.domain.lifecycle import is_active_sql
from tracker.extensions import db
from tracker.models import DriftFlag, Mitigation, Risk
from tracker.risks import queries as register_queries
from tracker.risks.settings import ScoringSettings
from tracker.roadmap.summary import delivery_snapshot

FORMAT = 1


def _in_snapshot():
    return [Risk.archived_at.is_(None), is_active_sql(Risk.status)]


def _ranked_risks(settings: ScoringSettings, today: date, due_soon_days: int) -> list[Risk]:
    # The register's "priority" sort is the dashboard's ranking over every status; narrowed here
    # to the statuses that still threaten availability.
    view = register_queries.RegisterFilter(sort="priority")
    query = register_queries.filtered(view, settings, today, due_soon_days)
    query = query.where(is_active_sql(Risk.status))
    return list(
        db.session.scalars(query.options(joinedload(Risk.team), joinedload(Risk.owner))).unique()
    )


def _mitigations_by_risk() -> dict[int, list[Mitigation]]:
    query = (
        sa.select(Mitigation)
        .join(Risk, Mitigation.risk_id == Risk.id)
        .where(*_in_snapshot())
        .options(joinedload(Mitigation.owner), joinedload(Mitigation.team))
        .order_by(Mitigation.risk_id, Mitigation.position, Mitigation.id)
    )
    grouped: dict[int, list[Mitigation]] = defaultdict(list)
    for mitigation in db.session.scalars(query).unique():
        grouped[mitigation.risk_id].append(mitigation)
    return grouped


def _drift_by_risk() -> dict[int, int]:
    query = (
        sa.select(DriftFlag.risk_id, sa.func.count())
        .join(Risk, DriftFlag.risk_id == Risk.id)
        .where(*_in_snapshot())
        .group_by(DriftFlag.risk_id)
    )
    return dict(db.session.execute(query).all())


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def mitigation_entry(mitigation: Mitigation, today: date, due_soon_days: int) -> dict:
    """What the review keeps of one mitigation."""
    state = mitigation_rules.due_state(mitigation.status, mitigation.due_date, today, due_soon_days)
    return {
        "id": mitigation.id,
        "label": mitigation.label,
        "title": mitigation.title,
        "status": mitigation.status,
        "due_date": mitigation.due_date.isoformat(),
        "original_due_date": mitigation.original_due_date.isoformat(),
        "slip_count": mitigation.slip_count,
        "overdue": state == "overdue",
        "due_soon": state == "due_soon",
        "team": mitigation.team.name,
        "owner": mitigation.owner.display_name if mitigation.owner else None,
    }


def blocked_entries(risks: list[Risk], mitigations: dict[int, list[Mitigation]]) -> list[dict]:
    """The blocked mitigations of the snapshot's risks, in ranking order, each with what it
    waits on (the last note)."""
    return [
        {
            "label": m.label,
            "title": m.title,
            "risk_key": risk.key,
            "team": m.team.name,
            "team_slug": m.team.slug,
            "risk_team_slug": risk.team.slug,
            "owner": m.owner.display_name if m.owner else None,
            "due_date": m.due_date.isoformat(),
            "note": mitigation_rules.blocker_note(m.notes),
        }
        for risk in risks
        for m in mitigations.get(risk.id, [])
        if m.status == "blocked"
    ]


def risk_entry(
    position: int,
    risk: Risk,
    mitigations: list[dict],
    drift: int,
    settings: ScoringSettings,
    today: date,
) -> dict:
    """What the review keeps of one risk, with the ranking factors that placed it."""
    band = settings.band(risk.score)
    share = settings.budget_share(risk.bad_minutes_per_year)
    overdue = sum(1 for m in mitigations if m["overdue"])
    return {
        "position": position,
        "key": risk.key,
        "title": risk.title,
        "team_slug": risk.team.slug,
        "team_name": risk.team.name,
        "owner": risk.owner.display_name if risk.owner else None,
        "owner_email": risk.owner.email if risk.owner else None,
        "status": risk.status,
        "treatment": risk.treatment,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "band": band,
        "residual_score": risk.residual_score,
        "residual_band": settings.band_or_none(risk.residual_score),
        "bad_minutes": risk.bad_minutes_per_year,
        "budget_share": share,
        "too_big": settings.too_big_to_accept(risk.bad_minutes_per_year),
        "overdue_mitigations": overdue,
        "next_review": _iso(risk.next_review),
        "acceptance_expires": _iso(risk.acceptance_expires),
        "drift": drift,
        "factors": factors_of(risk, band, overdue, share, today),
        "mitigations": mitigations,
    }


def take(settings: ScoringSettings, today: date, now: datetime, due_soon_days: int) -> dict:
    """The snapshot of the register now, in ten queries whatever its size (four of them for
    the quarter's delivery figures)."""
    risks = _ranked_risks(settings, today, due_soon_days)
    mitigations = _mitigations_by_risk()
    drift = _drift_by_risk()
    totals = panels.budget(settings, None)
    entries = [
        risk_entry(
            position,
            risk,
            [mitigation_entry(m, today, due_soon_days) for m in mitigations.get(risk.id, [])],
            drift.get(risk.id, 0),
            settings,
            today,
        )
        for position, risk in enumerate(risks, start=1)
    ]
    return {
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
        "risks": entries,
        "delivery": delivery_snapshot(today),
        "blocked": blocked_entries(risks, mitigations),
    }
