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

    def risk(self, team: Team | str | None = None, owner: User | str | None = None, **fields):
        """A risk made by the tracker itself through services.create_risk.

        Defaults: a new team, category infrastructure, likelihood 3, impact 3, title "Risk n".
        Other keyword arguments are fields as the forms and the API name them.
        """
        from tracker.risks import services as risk_services

        number = next(self._sequence)
        team = team if team is not None else self.team()
        raw = {
            "title": f"Risk {number}",
            "category": "infrastructure",
            "likelihood": 3,
            "impact": 3,
            "team": team if isinstance(team, str) else team.slug,
            "owner": owner.email if isinstance(owner, User) else owner,
            **fields,
        }
        return risk_services.create_risk(raw, actor=None)
