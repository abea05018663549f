"""Test data builders: rows with sensible defaults, overridable per test."""

from __future__ import annotations

from functools import cache
from itertools import count

from tracker.accounts import services
from tracker.extensions import db
from tracker.models import Team, User

DEFAULT_PASSWORD = "correct horse battery staple"


@cache
def _default_password_hash() -> str:
    # scrypt is slow on purpose; hash the shared test password once per run.
    return services.hash_password(DEFAULT_PASSWORD)


class Factory:
    def __init__(self):
        self._sequence = count(1)

    def team(self, slug: str | None = None, name: str | None = None) -> Team:
        number = next(self._sequence)
        team = Team(slug=slug or f"team-{number}", name=name or f"Team {number}")
        db.session.add(team)
        db.session.commit()
        return team

    def user(
        self,
        email: str | None = None,
        role: str = "viewer",
        name: str | None = None,
        teams: list[Team] = (),
        active: bool = True,
        password: str | None = None,
    ) -> User:
        number = next(self._sequence)
        user = User(
            email=email or f"user{number}@example.com",
            display_name=name or f"User {number}",
            role=role,
            active=active,
            password_hash=(
                services.hash_password(password) if password else _default_password_hash()
            ),
            teams=list(teams),
        )
        db.session.add(user)
        db.session.commit()
        return user
