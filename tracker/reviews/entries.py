"""Reading a review's frozen register (review_entries, review_mitigations) for its pages and
exports: a page of ranks, one risk by key, or every rank as a stream — each in a constant
number of queries.

An entry reads as the dict the pages and exports have always used. What follows from the
stored columns and the review's frozen settings — budget share, too big to accept, the ranking
factors — is worked out here, for the rows read only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.domain import budget as budget_rules
from tracker.domain import ranking
from tracker.extensions import db
from tracker.models import ReviewEntry, ReviewMitigation
from tracker.paging import Page, clamp_page
from tracker.risks.keys import parse_key

PER_PAGE = 25
# Rows read at a time when streaming an export: memory stays flat whatever the register's size.
CHUNK = 1_000


@dataclass(frozen=True)
class Frozen:
    """The settings a review froze, that its entries are read with."""

    slo: float
    too_big_share: float
    today: date

    @classmethod
    def of(cls, snapshot: dict) -> Frozen:
        return cls(
            snapshot["slo"], snapshot["too_big_share"], date.fromisoformat(snapshot["today"])
        )

    def share(self, bad_minutes: float | None) -> float | None:
        return None if bad_minutes is None else budget_rules.budget_share(bad_minutes, self.slo)


def _mitigation(m: ReviewMitigation) -> dict:
    return {
        "id": m.mitigation_id,
        "label": m.label,
        "title": m.title,
        "status": m.status,
        "due_date": m.due_date.isoformat(),
        "original_due_date": m.original_due_date.isoformat(),
        "slip_count": m.slip_count,
        "overdue": m.due_state == "overdue",
        "due_soon": m.due_state == "due_soon",
        "team": m.team_name,
        "owner": m.owner,
    }


def _factors(row: ReviewEntry, share: float | None, today: date) -> list[str]:
    entry = ranking.RankInput(
        parse_key(row.risk_key) or 0,
        row.risk_key,
        row.band,
        row.score,
        row.bad_minutes,
        row.overdue_mitigations,
        row.next_review or today,
    )
    return ranking.factors(entry, today, share)


def as_dict(row: ReviewEntry, frozen: Frozen, mitigations: list[dict] | None = None) -> dict:
    """One frozen risk as the pages and exports read it (`mitigations` when they were read)."""
    share = frozen.share(row.bad_minutes)
    return {
        "position": row.position,
        "key": row.risk_key,
        "title": row.title,
        "team_slug": row.team_slug,
        "team_name": row.team_name,
        "owner": row.owner,
        "owner_email": row.owner_email,
        "status": row.status,
        "treatment": row.treatment,
        "likelihood": row.likelihood,
        "impact": row.impact,
        "score": row.score,
        "band": row.band,
        "residual_score": row.residual_score,
        "residual_band": row.residual_band,
        "bad_minutes": row.bad_minutes,
        "budget_share": share,
        "too_big": share is not None and share > frozen.too_big_share,
        "overdue_mitigations": row.overdue_mitigations,
        "open_mitigations": row.open_mitigations,
        "next_review": row.next_review.isoformat() if row.next_review else None,
        "acceptance_expires": (
            row.acceptance_expires.isoformat() if row.acceptance_expires else None
        ),
        "drift": row.drift,
        "factors": _factors(row, share, frozen.today),
        "mitigations": mitigations if mitigations is not None else [],
    }


def _of_review(review_id: int, team_slug: str | None):
    conditions = [ReviewEntry.review_id == review_id]
    if team_slug is not None:
        conditions.append(ReviewEntry.team_slug == team_slug)
    return conditions


def count(review_id: int, team_slug: str | None = None) -> int:
    """How many risks the review froze (the team's only, when given)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ReviewEntry).where(*_of_review(review_id, team_slug))
    )


def _mitigations_of(review_id: int, positions: list[int]) -> dict[int, list[dict]]:
    if not positions:
        return {}
    grouped: dict[int, list[dict]] = defaultdict(list)
    for m in db.session.scalars(
        sa.select(ReviewMitigation)
        .where(
            ReviewMitigation.review_id == review_id,
            ReviewMitigation.entry_position.in_(positions),
        )
        .order_by(ReviewMitigation.entry_position, ReviewMitigation.position)
    ):
        grouped[m.entry_position].append(_mitigation(m))
    return grouped


def page(
    review_id: int, frozen: Frozen, team_slug: str | None, number: int, per_page: int = PER_PAGE
) -> Page:
    """One page of the ranked register (the team's risks only, when given) with the
    mitigations of its risks: three queries. A page past the last shows the last."""
    total = count(review_id, team_slug)
    number = clamp_page(number, total, per_page)
    rows = list(
        db.session.scalars(
            sa.select(ReviewEntry)
            .where(*_of_review(review_id, team_slug))
            .order_by(ReviewEntry.position)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
    )
    mitigations = _mitigations_of(review_id, [row.position for row in rows])
    items = [as_dict(row, frozen, mitigations.get(row.position, [])) for row in rows]
    return Page(items=items, total=total, page=number, per_page=per_page)


def position_of(review_id: int, key: str) -> int | None:
    """The rank of the risk `key` in the review, or None when the review did not freeze it:
    one lookup in the (review, key) index."""
    return db.session.scalar(
        sa.select(ReviewEntry.position).where(
            ReviewEntry.review_id == review_id, ReviewEntry.risk_key == key
        )
    )


def page_of(position: int, per_page: int = PER_PAGE) -> int:
    """The page of the register that shows the rank `position`."""
    return (position - 1) // per_page + 1


def titles(review_id: int, keys: Iterable[str]) -> dict[str, str]:
    """Risk key → title as reviewed, for these keys."""
    keys = list(set(keys))
    if not keys:
        return {}
    return dict(
        db.session.execute(
            sa.select(ReviewEntry.risk_key, ReviewEntry.title).where(
                ReviewEntry.review_id == review_id, ReviewEntry.risk_key.in_(keys)
            )
        ).all()
    )


def keys_of_team(review_id: int, team_slug: str, among: Iterable[str]) -> set[str]:
    """Those of the keys `among` that name a risk of the team in the review."""
    among = list(set(among))
    if not among:
        return set()
    return set(
        db.session.scalars(
            sa.select(ReviewEntry.risk_key).where(
                *_of_review(review_id, team_slug), ReviewEntry.risk_key.in_(among)
            )
        )
    )


def team_budget(review_id: int, team_slug: str, frozen: Frozen, minutes: float) -> dict:
    """The review's budget figures over the team's frozen risks only: two aggregate queries."""
    quantified = [*_of_review(review_id, team_slug), ReviewEntry.bad_minutes.isnot(None)]
    is_accepted = ReviewEntry.status == "accepted"
    sums = {True: 0.0, False: 0.0}
    counted = 0
    for accepted, total, n in db.session.execute(
        sa.select(is_accepted, sa.func.sum(ReviewEntry.bad_minutes), sa.func.count())
        .where(*quantified)
        .group_by(is_accepted)
    ):
        sums[bool(accepted)] = float(total or 0)
        counted += n
    threshold = frozen.too_big_share * minutes
    too_big = list(
        db.session.scalars(
            sa.select(ReviewEntry.risk_key)
            .where(*quantified, ReviewEntry.bad_minutes > threshold)
            .order_by(ReviewEntry.position)
        )
    )
    total = sums[True] + sums[False]
    return {
        "minutes": minutes,
        "accepted": sums[True],
        "unmitigated": sums[False],
        "total": total,
        "share": total / minutes,
        "quantified": counted,
        "too_big": too_big,
    }


def stream(review_id: int, frozen: Frozen, team_slug: str | None = None) -> Iterator[dict]:
    """Every frozen risk in ranked order (the team's only, when given), read CHUNK rows at a
    time; without their mitigations (an entry counts its open and overdue ones)."""
    query = (
        sa.select(ReviewEntry)
        .where(*_of_review(review_id, team_slug))
        .order_by(ReviewEntry.position)
        .execution_options(yield_per=CHUNK)
    )
    for row in db.session.scalars(query):
        yield as_dict(row, frozen)


def count_before(review_id: int, team_slug: str, position: int) -> int:
    """How many of the team's frozen risks rank before `position`."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewEntry)
        .where(*_of_review(review_id, team_slug), ReviewEntry.position < position)
    )
