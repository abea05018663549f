"""A user's history: every change to their role, teams, email or state, and who made it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Team, User, UserEvent


def team_list(teams: Iterable[Team]) -> str:
    """Teams as history shows them: slugs, sorted, comma-separated ("" for none)."""
    return ", ".join(sorted(team.slug for team in teams))


def record_change(
    user: User,
    field: str,
    old: str | None,
    new: str | None,
    *,
    actor: User | None = None,
    by_provider: bool = False,
) -> None:
    """Add one change to the session (the caller commits); nothing when old equals new."""
    if old == new:
        return
    db.session.add(
        UserEvent(
            user=user,
            field=field,
            old_value=old,
            new_value=new,
            actor=actor,
            by_provider=by_provider,
        )
    )


def events_of(user: User) -> list[UserEvent]:
    """The user's history, newest first, with the actors loaded (one query)."""
    return list(
        db.session.scalars(
            sa.select(UserEvent)
            .where(UserEvent.user_id == user.id)
            .options(selectinload(UserEvent.actor))
            .order_by(UserEvent.at.desc(), UserEvent.id.desc())
        )
    )
