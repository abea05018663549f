"""What the admin pages show about single sign-on."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from tracker.domain.groups import unknown_team_slugs
from tracker.extensions import db
from tracker.models import Team, User
from tracker.sso import client


def unknown_teams(users: Iterable[User]) -> dict[str, list[str]]:
    """Team slugs the users' last groups name but no team has, each with those users' emails.

    Empty when groups do not decide teams. One query (the team slugs).
    """
    sso = client.settings()
    if sso is None or not sso.groups_decide_teams:
        return {}
    known = db.session.scalars(sa.select(Team.slug))
    groups = {user.email: user.oidc_groups for user in users if user.oidc_groups}
    return unknown_team_slugs(groups, sso.team_group_prefix, set(known))
