"""Who signs in through the provider: match, create or refuse them, and apply their groups.

A person is found by the provider's subject (stored at their first sign-in), otherwise by
their verified email; a first sign-in creates them. Groups then decide role and teams when
the settings say so. Every change is written to the user's history as made by the provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.accounts import rules
from tracker.accounts import services as accounts
from tracker.accounts.history import record_change, team_list
from tracker.domain import groups as group_rules
from tracker.extensions import db
from tracker.models import Team, User
from tracker.sso import errors
from tracker.sso.settings import SsoSettings

log = logging.getLogger(__name__)

# OpenID Connect Core 1.0, 2: a subject "MUST NOT exceed 255 ASCII characters in length".
MAX_SUBJECT_LENGTH = 255


@dataclass
class SsoSignIn:
    """The person to start a session for, and team slugs their groups named that don't exist."""

    user: User
    unknown_teams: list[str] = field(default_factory=list)


def _verified_email(claims: Mapping[str, Any]) -> str:
    email = rules.normalise_email(str(claims.get("email") or ""))
    if not email or rules.email_problem(email):
        raise errors.missing_email(sorted(claims))
    # Absent means the provider makes no statement (Entra ID); only an explicit no refuses.
    if claims.get("email_verified") in (False, "false", "False"):
        raise errors.unverified_email(email)
    return email


def _display_name(claims: Mapping[str, Any], email: str) -> str:
    for name in (claims.get("name"), claims.get("preferred_username")):
        if isinstance(name, str) and name.strip():
            return name.strip()[:120]
    return email.split("@", 1)[0][:120]


def _find_user(subject: str, email: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.oidc_subject == subject))
    if user is not None:
        return user
    user = accounts.find_user(email)
    if user is not None and user.oidc_subject is not None:
        raise errors.identity_conflict(email)
    return user


def _create_user(subject: str, email: str, claims: Mapping[str, Any]) -> User:
    user = User(
        email=email,
        display_name=_display_name(claims, email),
        role="viewer",
        password_hash=None,
        oidc_subject=subject,
        teams=[],
    )
    db.session.add(user)
    record_change(user, "account", None, "created at first sign-in", by_provider=True)
    return user


def _follow_email_change(user: User, email: str) -> None:
    if user.email == email:
        return
    if accounts.find_user(email) is not None:
        log.warning(
            "Single sign-on: %s now has the email %s at the provider, which another user has; "
            "keeping %s",
            user.email,
            email,
            user.email,
        )
        return
    record_change(user, "email", user.email, email, by_provider=True)
    user.email = email


def _apply_role(user: User, groups: list[str], sso: SsoSettings) -> None:
    if not sso.groups_decide_roles or user.role_overridden:
        return
    role = group_rules.role_from_groups(groups, sso.admin_groups, sso.manager_groups)
    record_change(user, "role", user.role, role, by_provider=True)
    user.role = role


def _apply_teams(user: User, groups: list[str], sso: SsoSettings) -> list[str]:
    if not sso.groups_decide_teams:
        return []
    slugs = group_rules.team_slugs_from_groups(groups, sso.team_group_prefix)
    teams = list(db.session.scalars(sa.select(Team).where(Team.slug.in_(slugs)))) if slugs else []
    unknown = sorted(set(slugs) - {team.slug for team in teams})
    record_change(user, "teams", team_list(user.teams), team_list(teams), by_provider=True)
    user.teams = teams
    return unknown


def _apply_groups(user: User, claims: Mapping[str, Any], sso: SsoSettings) -> list[str]:
    groups = group_rules.groups_from_claim(claims.get(sso.groups_claim))
    if groups is None:
        if sso.groups_decide_roles or sso.groups_decide_teams:
            log.warning(
                "Single sign-on: the ID token for %s has no %r claim; role and teams unchanged",
                user.email,
                sso.groups_claim,
            )
        return []
    user.oidc_groups = groups
    _apply_role(user, groups, sso)
    unknown = _apply_teams(user, groups, sso)
    for slug in unknown:
        log.warning(
            "Single sign-on: a group of %s names team %r (prefix %r), which does not exist; "
            "create the team or rename the group",
            user.email,
            slug,
            sso.team_group_prefix,
        )
    return unknown


def sign_in_with_claims(
    claims: Mapping[str, Any], sso: SsoSettings, *, retry: bool = True
) -> SsoSignIn:
    """The user these verified ID token claims identify, matched or created, groups applied.

    Commits once. Raises SsoFailure (nothing written) for a missing or unverified email, a
    deactivated user, or an email already linked to another subject. When a parallel first
    sign-in of the same person created them first, it starts over once and finds them.
    """
    subject = str(claims["sub"])
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise errors.untrusted_token(f"the subject is empty or longer than {MAX_SUBJECT_LENGTH}")
    email = _verified_email(claims)
    user = _find_user(subject, email)
    if user is not None and not user.active:
        raise errors.deactivated(user.email)
    if user is None:
        user = _create_user(subject, email, claims)
        log.info("Single sign-on: created %s at their first sign-in", email)
    else:
        if user.oidc_subject is None:
            record_change(user, "sign-in", None, "linked to the provider", by_provider=True)
            user.oidc_subject = subject
        _follow_email_change(user, email)
    unknown = _apply_groups(user, claims, sso)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not retry:
            raise
        return sign_in_with_claims(claims, sso, retry=False)
    return SsoSignIn(user, unknown)
