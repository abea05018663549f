"""Reading reviews for the pages and exports, in a constant number of queries."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, undefer

from tracker.extensions import db
from tracker.models import Review, ReviewDecision, Team, User
from tracker.paging import Page, clamp_page
from tracker.reviews import blocked as review_blocked
from tracker.reviews import entries
from tracker.roadmap.summary import delivery_line


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    decisions: int


def reviews_page(page: int = 1, per_page: int = 50) -> Page:
    """One page of the reviews, newest first, each with its number of decisions: three queries
    whatever the number of reviews (the snapshots are not read). A page past the last gives
    the last."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Review))
    page = clamp_page(page, total, per_page)
    reviews = db.session.scalars(
        sa.select(Review)
        .options(joinedload(Review.started_by), joinedload(Review.finished_by))
        .order_by(Review.started_at.desc(), Review.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(ReviewDecision.review_id, sa.func.count())
            .where(ReviewDecision.review_id.in_([review.id for review in reviews]))
            .group_by(ReviewDecision.review_id)
        ).all()
    )
    rows = [ReviewRow(review, counts.get(review.id, 0)) for review in reviews]
    return Page(items=rows, total=total, page=page, per_page=per_page)


@dataclass
class ReviewView:
    """A review with its small frozen parts and changes read back, one page of its ranked
    register (tracker.reviews.entries), and its decisions by risk."""

    review: Review
    snapshot: dict
    changes: dict
    decisions: list[ReviewDecision]
    by_risk: dict[str, list[ReviewDecision]] = field(default_factory=dict)
    # Set when the view is narrowed to one team (tracker.reviews.team_view).
    team: Team | None = None
    # The page of the ranked register shown (the team's risks only when narrowed).
    register: Page | None = None
    # The first blocked mitigations (blocked.SHOWN) and how many there are; None for
    # reviews frozen before blocked work was kept.
    blocked: list[dict] | None = None
    blocked_total: int = 0

    @property
    def frozen(self) -> entries.Frozen:
        return entries.Frozen.of(self.snapshot)

    @property
    def risks(self) -> list[dict]:
        """The risks of the page shown, in ranked order."""
        return self.register.items if self.register else []

    @property
    def risk_total(self) -> int:
        """How many risks the review froze (the team's when narrowed)."""
        return self.register.total if self.register else 0

    @property
    def team_slug(self) -> str | None:
        return self.team.slug if self.team else None

    def all_risks(self) -> Iterator[dict]:
        """Every frozen risk in ranked order (the team's when narrowed), streamed."""
        return entries.stream(self.review.id, self.frozen, self.team_slug)

    @property
    def budget(self) -> dict:
        return self.snapshot["budget"]

    @property
    def delivery(self) -> tuple[str, list[tuple[str, str]]] | None:
        """The quarter and a (team, line) per team frozen at the start, with "All teams" last;
        only the team's own line when narrowed to a team; None for reviews taken before."""
        frozen = self.snapshot.get("delivery")
        if not frozen:
            return None
        rows = [
            (row["name"], delivery_line(row))
            for row in frozen["teams"]
            if self.team is None or row["team"] == self.team.slug
        ]
        if self.team is None:
            rows.append(("All teams", delivery_line(frozen["overall"])))
        return frozen["quarter"], rows

    @property
    def team_arg(self) -> tuple[str, str] | None:
        """(slug, name) of the team the view is narrowed to."""
        return (self.team.slug, self.team.name) if self.team else None

    def all_blocked(self) -> Iterator[dict] | None:
        """Every blocked mitigation as reviewed (the team's when narrowed), streamed; None for
        reviews frozen before blocked work was kept."""
        if not self.snapshot.get("blocked_rows"):
            return None
        return review_blocked.every(self.review.id, self.team_arg)

    @property
    def incidents(self) -> dict | None:
        """The incidents part (tracker.reviews.incidents); None for reviews frozen before."""
        return self.snapshot.get("incidents")

    @property
    def spent_windows(self) -> list[dict] | None:
        """The error budget spent per window at the start (the team's when narrowed)."""
        frozen = self.incidents
        if frozen is None:
            return None
        if self.team is not None:
            return frozen["budget"]["by_team"].get(self.team.slug, [])
        return frozen["budget"]["windows"]

    def titles(self) -> dict[str, str]:
        """Risk key → title as reviewed, of the risks decided on."""
        return entries.titles(self.review.id, (d.risk_key for d in self.decisions))


def load(review_id: int) -> ReviewView:
    """The review (404 if there is none) with its small parts and decisions, not yet its
    register (see with_page): two queries."""
    review = db.one_or_404(
        sa.select(Review)
        .where(Review.id == review_id)
        .options(
            undefer(Review.snapshot),
            undefer(Review.changes),
            joinedload(Review.started_by),
            joinedload(Review.finished_by),
            joinedload(Review.previous),
        )
    )
    decisions = list(
        db.session.scalars(
            sa.select(ReviewDecision)
            .where(ReviewDecision.review_id == review.id)
            .options(joinedload(ReviewDecision.assignee), joinedload(ReviewDecision.created_by))
            .order_by(ReviewDecision.id)
        )
    )
    by_risk: dict[str, list[ReviewDecision]] = defaultdict(list)
    for decision in decisions:
        by_risk[decision.risk_key].append(decision)
    return ReviewView(
        review, json.loads(review.snapshot), json.loads(review.changes), decisions, by_risk
    )


def with_page(view: ReviewView, number: int = 1) -> ReviewView:
    """The view with page `number` of its ranked register read (clamped to the pages there
    are) and the first of its blocked work: five queries."""
    register = entries.page(view.review.id, view.frozen, view.team_slug, number)
    blocked, blocked_total = None, 0
    if view.snapshot.get("blocked_rows"):
        blocked, blocked_total = review_blocked.first(view.review.id, view.team_arg)
    return replace(view, register=register, blocked=blocked, blocked_total=blocked_total)


def assignee_choices() -> list[User]:
    """Active users, by name: whom a risk may be assigned to."""
    return list(db.session.scalars(sa.select(User).where(User.active).order_by(User.display_name)))
