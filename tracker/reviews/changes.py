"""What changed in the register between two reviews, read from the risks' history.

The window runs from the start of the previous review (whose snapshot was taken then) to now, so
work done during a review meeting shows in the next one. With no previous review the window is
the whole history: the first review treats everything as new (every risk created, every overdue
mitigation and drift flag). Risks archived since are left out: they have left the register.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker.domain import mitigations as mitigation_rules
from tracker.domain import scoring
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.domain.lifecycle import is_active_sql
from tracker.extensions import db
from tracker.models import DriftFlag, Mitigation, Review, ReviewMitigation, Risk, RiskEvent
from tracker.risks import settings as scoring_settings
from tracker.risks.history import FIELD_LABELS

SECTIONS = (
    "new_risks",
    "closed",
    "movers",
    "completed",
    "slipped",
    "newly_overdue",
    "new_drift",
)
# Moves out of the open register that a review wants to hear about.
LEAVING_STATUSES = ("closed", "accepted", "mitigated")
RISK_FIELDS = (
    "created",
    "status",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
)
MITIGATION_FIELDS = ("status", "due_date")


def count(changes: dict) -> int:
    """How many changes the sections list in all."""
    return sum(len(changes[name]) for name in SECTIONS)


def _actor(event: RiskEvent) -> str:
    return event.actor.display_name if event.actor else "Risk Tracker"


def _events(since: datetime | None, until: datetime) -> list[RiskEvent]:
    """The events the sections read, oldest first, for risks still in the register."""
    of_risk = sa.and_(RiskEvent.mitigation_id.is_(None), RiskEvent.field.in_(RISK_FIELDS))
    of_mitigation = sa.and_(
        RiskEvent.mitigation_id.isnot(None), RiskEvent.field.in_(MITIGATION_FIELDS)
    )
    query = (
        sa.select(RiskEvent)
        .join(Risk, RiskEvent.risk_id == Risk.id)
        .where(Risk.archived_at.is_(None), RiskEvent.at <= until, sa.or_(of_risk, of_mitigation))
        .options(
            joinedload(RiskEvent.risk).joinedload(Risk.team),
            joinedload(RiskEvent.mitigation).joinedload(Mitigation.team),
            joinedload(RiskEvent.actor),
        )
        .order_by(RiskEvent.at, RiskEvent.id)
    )
    if since is not None:
        query = query.where(RiskEvent.at > since)
    return list(db.session.scalars(query).unique())


def _risk_ref(risk: Risk) -> dict:
    return {
        "key": risk.key,
        "title": risk.title,
        "team": risk.team.name,
        "team_slug": risk.team.slug,
    }


def _mitigation_ref(mitigation: Mitigation) -> dict:
    risk = mitigation.risk
    return {
        "id": mitigation.id,
        "label": mitigation.label,
        "title": mitigation.title,
        "team": mitigation.team.name,
        "team_slug": mitigation.team.slug,
        "risk_team_slug": risk.team.slug,
        "risk_key": risk.key,
        "risk_title": risk.title,
    }


def _by(event: RiskEvent) -> dict:
    return {"at": event.at.isoformat(), "by": _actor(event), "reason": event.reason}


def _new_risks(events: list[RiskEvent], settings) -> list[dict]:
    return [
        {
            **_risk_ref(e.risk),
            "score": e.risk.score,
            "band": settings.band(e.risk.score),
            "status": e.risk.status,
            **_by(e),
        }
        for e in events
        if e.field == "created"
    ]


def _closed(events: list[RiskEvent]) -> list[dict]:
    latest: dict[int, RiskEvent] = {}
    for e in events:
        if e.field == "status" and e.new_value in LEAVING_STATUSES:
            latest[e.risk_id] = e
    return [
        {
            **_risk_ref(e.risk),
            "from": e.old_value,
            "to": e.new_value,
            "status_now": e.risk.status,
            "until": (
                e.risk.acceptance_expires.isoformat()
                if e.new_value == "accepted" and e.risk.acceptance_expires
                else None
            ),
            **_by(e),
        }
        for e in latest.values()
    ]


# The two scores a review follows: the fields that make each, and what its mover is called.
SCORES = {
    "inherent": ("likelihood", "impact"),
    "residual": ("residual_likelihood", "residual_impact"),
}


def _movers(events: list[RiskEvent], settings) -> list[dict]:
    """Risks whose inherent or residual score differs at the end of the window from its start:
    one entry per score that moved, with the edits (and their reasons) that moved it."""
    by_score: dict[tuple[int, str], list[RiskEvent]] = defaultdict(list)
    for e in events:
        for kind, fields in SCORES.items():
            if e.field in fields:
                by_score[(e.risk_id, kind)].append(e)
    movers = []
    for (_, kind), scored in by_score.items():
        risk = scored[0].risk
        likelihood_field, impact_field = SCORES[kind]
        now = {f: getattr(risk, f) for f in SCORES[kind]}
        old = dict(now)
        for e in reversed(scored):  # the earliest old value of each field wins
            old[e.field] = None if e.old_value is None else int(e.old_value)
        # A residual not assessed has no score (None) at either end.
        old_score = scoring.residual_score(old[likelihood_field], old[impact_field])
        new_score = scoring.residual_score(now[likelihood_field], now[impact_field])
        if old_score == new_score:
            continue
        movers.append(
            {
                **_risk_ref(risk),
                "score_kind": kind,
                "old_score": old_score,
                "new_score": new_score,
                "old_band": settings.band_or_none(old_score),
                "new_band": settings.band_or_none(new_score),
                "reasons": [
                    {
                        "field": FIELD_LABELS[e.field],
                        "old": e.old_value,
                        "new": e.new_value,
                        **_by(e),
                    }
                    for e in scored
                ],
            }
        )
    # Inherent moves first: they change the ranking; residual ones follow, biggest first.
    return sorted(
        movers,
        key=lambda m: (
            m["score_kind"] != "inherent",
            -(m["new_score"] or 0),
            -(m["old_score"] or 0),
            m["key"],
        ),
    )


def _completed(events: list[RiskEvent]) -> list[dict]:
    latest: dict[int, RiskEvent] = {}
    for e in events:
        if e.mitigation_id and e.field == "status" and e.new_value == "done":
            latest[e.mitigation_id] = e
    return [
        {**_mitigation_ref(e.mitigation), **_by(e)}
        for e in latest.values()
        if e.mitigation.status == "done"
    ]


def _slipped(events: list[RiskEvent]) -> list[dict]:
    slips = []
    for e in events:
        if not (e.mitigation_id and e.field == "due_date" and e.old_value and e.new_value):
            continue
        old, new = date.fromisoformat(e.old_value), date.fromisoformat(e.new_value)
        if mitigation_rules.is_slip(old, new):
            slips.append(
                {
                    **_mitigation_ref(e.mitigation),
                    "old": e.old_value,
                    "new": e.new_value,
                    "days": (new - old).days,
                    **_by(e),
                }
            )
    return slips


def _newly_overdue(previous: Review | None, today: date) -> list[dict]:
    """Open mitigations of the register's risks (those a review freezes) overdue now that the
    previous review's frozen register did not show overdue — one query: the previous review's
    overdue ones are read by the database. Work on a closed or mitigated risk is left out: no
    review freezes it, so it would read as newly overdue at every review."""
    query = (
        sa.select(Mitigation)
        .join(Risk, Mitigation.risk_id == Risk.id)
        .where(
            Risk.archived_at.is_(None),
            is_active_sql(Risk.status),
            mitigation_rules.is_overdue_sql(Mitigation.status, Mitigation.due_date, today),
        )
        .options(joinedload(Mitigation.risk).joinedload(Risk.team), joinedload(Mitigation.team))
        .options(joinedload(Mitigation.owner))
        .order_by(Mitigation.due_date, Mitigation.id)
    )
    if previous is not None:
        query = query.where(
            Mitigation.id.not_in(
                sa.select(ReviewMitigation.mitigation_id).where(
                    ReviewMitigation.review_id == previous.id,
                    ReviewMitigation.due_state == "overdue",
                )
            )
        )
    return [
        {
            **_mitigation_ref(m),
            "due_date": m.due_date.isoformat(),
            "days_overdue": (today - m.due_date).days,
            "owner": m.owner.display_name if m.owner else None,
        }
        for m in db.session.scalars(query).unique()
    ]


def _new_drift(since: datetime | None) -> list[dict]:
    query = (
        sa.select(DriftFlag)
        .join(Risk, DriftFlag.risk_id == Risk.id)
        .where(Risk.archived_at.is_(None))
        .options(joinedload(DriftFlag.risk).joinedload(Risk.team))
        .options(joinedload(DriftFlag.mitigation))
        .order_by(DriftFlag.first_seen, DriftFlag.id)
    )
    if since is not None:
        query = query.where(DriftFlag.first_seen > since)
    return [
        {
            **_risk_ref(flag.risk),
            "mitigation": flag.mitigation.label if flag.mitigation else None,
            "mitigation_title": flag.mitigation.title if flag.mitigation else None,
            "ticket": flag.ticket_key,
            "kind": flag.kind,
            "label": DRIFT_KINDS.get(flag.kind, flag.kind),
            "detail": flag.detail,
            "first_seen": flag.first_seen.isoformat(),
        }
        for flag in db.session.scalars(query).unique()
    ]


def changes_since(previous: Review | None, now: datetime) -> dict:
    """Every section of "since the previous review", as JSON-ready data; four queries."""
    since = previous.started_at if previous else None
    settings = scoring_settings.current()
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    events = _events(since, now)
    return {
        "first": previous is None,
        "previous_id": previous.id if previous else None,
        "since": since.isoformat() if since else None,
        "until": now.isoformat(),
        "new_risks": _new_risks(events, settings),
        "closed": _closed(events),
        "movers": _movers(events, settings),
        "completed": _completed(events),
        "slipped": _slipped(events),
        "newly_overdue": _newly_overdue(previous, today),
        "new_drift": _new_drift(since),
    }
