"""A review's frozen blocked work (the review_mitigations rows whose status is "blocked"), in
ranking order, each with what it waits on: the last line of its notes as they were."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from tracker.domain.mitigations import blocker_note
from tracker.extensions import db
from tracker.models import ReviewEntry, ReviewMitigation
from tracker.reviews.entries import CHUNK

# The blocked work shown on a review's page; the Markdown lists all of it.
SHOWN = 50


def _blocked_query(review_id: int, team: tuple[str, str] | None):
    """SELECT (mitigation, its risk's entry) of the review's blocked work, in ranking order;
    `team` (slug, name) keeps the work the team does or that lowers its risks."""
    m, risk = ReviewMitigation, ReviewEntry
    query = (
        sa.select(m, risk.risk_key, risk.team_slug)
        .join(risk, sa.and_(risk.review_id == m.review_id, risk.position == m.entry_position))
        .where(m.review_id == review_id, m.status == "blocked")
    )
    if team is not None:
        slug, name = team
        query = query.where(
            sa.or_(
                m.team_slug == slug,
                risk.team_slug == slug,
                # Frozen before the mitigation's team slug was kept: its name.
                sa.and_(m.team_slug.is_(None), m.team_name == name),
            )
        )
    return query


def _blocked_item(m: ReviewMitigation, risk_key: str, risk_team_slug: str) -> dict:
    return {
        "label": m.label,
        "title": m.title,
        "risk_key": risk_key,
        "team": m.team_name,
        "team_slug": m.team_slug,
        "risk_team_slug": risk_team_slug,
        "owner": m.owner,
        "due_date": m.due_date.isoformat(),
        "note": blocker_note(m.notes or ""),
    }


def first(
    review_id: int, team: tuple[str, str] | None = None, limit: int = SHOWN
) -> tuple[list[dict], int]:
    """The first `limit` blocked mitigations of the review in ranking order, each with what it
    waits on, and how many there are: two queries."""
    query = _blocked_query(review_id, team)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    ordered = query.order_by(ReviewMitigation.entry_position, ReviewMitigation.position)
    items = [_blocked_item(*row) for row in db.session.execute(ordered.limit(limit))]
    return items, total


def every(review_id: int, team: tuple[str, str] | None = None) -> Iterator[dict]:
    """Every blocked mitigation of the review in ranking order, read CHUNK rows at a time."""
    query = (
        _blocked_query(review_id, team)
        .order_by(ReviewMitigation.entry_position, ReviewMitigation.position)
        .execution_options(yield_per=CHUNK)
    )
    for row in db.session.execute(query):
        yield _blocked_item(*row)
