"""What the admin pages show about single sign-on."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.domain.groups import unknown_team_slugs
from tracker.extensions import db
from tracker.models import Team, User
from tracker.sso import client


def unknown_teams() -> dict[str, list[str]]:
    """Team slugs the users' last groups name but no team has, each with those users' emails.

    Empty when groups do not decide teams. Two queries (the team slugs, and every user's email
    and groups, columns only: it looks at every user, not the page of them shown).
    """
    sso = client.settings()
    if sso is None or not sso.groups_decide_teams:
        return {}
    known = db.session.scalars(sa.select(Team.slug))
    rows = db.session.execute(sa.select(User.email, User.oidc_groups))
    groups = {email: names for email, names in rows if names}
    return unknown_team_slugs(groups, sso.team_group_prefix, set(known))
