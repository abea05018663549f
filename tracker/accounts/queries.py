"""Reading users and teams a page at a time, for the admin pages: a company has thousands of
users, so no admin page lists them all."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.accounts.rules import normalise_email
from tracker.extensions import db
from tracker.models import Team, User, team_members
from tracker.paging import Page, clamp_page

# A search longer than any email or name finds nothing; cut it rather than send it to SQL.
MAX_SEARCH_LENGTH = 200


def search_text(text: str | None) -> str:
    """What a search box's value searches for: trimmed, at most MAX_SEARCH_LENGTH."""
    return (text or "").strip()[:MAX_SEARCH_LENGTH]


def _containing(q: str, *columns) -> sa.ColumnElement[bool]:
    """Any of the columns contains `q`, in any case, `%` and `_` taken literally."""
    return sa.or_(*(sa.func.lower(c).contains(q.lower(), autoescape=True) for c in columns))


def _page(query: sa.Select, page: int, per_page: int, *options) -> Page:
    """A count of `query`'s rows and one page of them (`page` clamped): two queries, plus one
    per loader option."""
    counted = query.order_by(None).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    page = clamp_page(page, total, per_page)
    rows = db.session.scalars(
        query.options(*options).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def users_page(q: str = "", page: int = 1, per_page: int = 50) -> Page:
    """Users whose email or name contains `q` (every user for ""), by email, with their teams:
    three queries whatever the number of users."""
    query = sa.select(User).order_by(User.email)
    if q:
        query = query.where(_containing(q, User.email, User.display_name))
    return _page(query, page, per_page, selectinload(User.teams))


def teams_page(q: str = "", page: int = 1, per_page: int = 50) -> Page:
    """Teams whose name or slug contains `q` (every team for ""), by name: two queries."""
    query = sa.select(Team).order_by(Team.name)
    if q:
        query = query.where(_containing(q, Team.name, Team.slug))
    return _page(query, page, per_page)


def team_names() -> list[tuple[str, str]]:
    """Every team's (slug, name), by name, for a form's team choices: one query."""
    rows = db.session.execute(sa.select(Team.slug, Team.name).order_by(Team.name))
    return [(slug, name) for slug, name in rows]


def member_counts(teams: list[Team]) -> dict[int, int]:
    """Team id → how many members it has, for these teams: one aggregate query."""
    rows = db.session.execute(
        sa.select(team_members.c.team_id, sa.func.count())
        .where(team_members.c.team_id.in_([team.id for team in teams]))
        .group_by(team_members.c.team_id)
    )
    return {team.id: 0 for team in teams} | {team_id: count for team_id, count in rows}


def members_page(team: Team, page: int = 1, per_page: int = 50) -> Page:
    """The team's members by name: two queries whatever the team's size."""
    query = (
        sa.select(User)
        .join(team_members, team_members.c.user_id == User.id)
        .where(team_members.c.team_id == team.id)
        .order_by(User.display_name, User.id)
    )
    return _page(query, page, per_page)


def active_user_by_email(email: str) -> User | None:
    """The active user with this email (any case), or None."""
    return db.session.scalar(
        sa.select(User).where(User.email == normalise_email(email), User.active.is_(True))
    )
