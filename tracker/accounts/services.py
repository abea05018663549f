"""Use cases for users and teams, shared by the admin pages and the CLI.

Each function validates everything first and raises ValidationError before touching the
database, so a refused call changes nothing; each successful call commits once.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import clock
from tracker.accounts import rules
from tracker.accounts.history import record_change, team_list
from tracker.auth.sessions import end_all_sessions
from tracker.extensions import db
from tracker.models import ROLES, ApiToken, Team, User
from tracker.models.accounts import new_session_token
from tracker.validation import ValidationError

PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash method name, not a password)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_matches(user: User, password: str) -> bool:
    """False for a wrong password, and for users who have none (they sign in through SSO)."""
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == rules.normalise_email(email)))


def find_team(slug: str) -> Team | None:
    return db.session.scalar(sa.select(Team).where(Team.slug == slug.strip().lower()))


def require_user(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise ValidationError.single("email", f"No user has the email {email!r}.")
    return user


def require_team(slug: str) -> Team:
    team = find_team(slug)
    if team is None:
        raise ValidationError.single("team", f"No team has the slug {slug!r}.")
    return team


def _teams_by_slug(slugs: Iterable[str]) -> list[Team]:
    wanted = sorted({slug.strip().lower() for slug in slugs if slug.strip()})
    if not wanted:
        return []
    teams = db.session.scalars(sa.select(Team).where(Team.slug.in_(wanted))).all()
    missing = sorted(set(wanted) - {team.slug for team in teams})
    if missing:
        raise ValidationError.single(
            "teams", f"No team has the slug {', '.join(repr(slug) for slug in missing)}."
        )
    return list(teams)


def _role_problem(role: str) -> str | None:
    if role not in ROLES:
        return f"Role must be one of {', '.join(ROLES)} (got {role!r})."
    return None


def create_user(
    email: str, display_name: str, role: str, password: str, team_slugs: Iterable[str] = ()
) -> User:
    """Create an active user in the given teams."""
    email = rules.normalise_email(email)
    errors = {
        field: message
        for field, message in (
            ("email", rules.email_problem(email)),
            ("display_name", rules.display_name_problem(display_name)),
            ("role", _role_problem(role)),
            ("password", rules.password_problem(password, email)),
        )
        if message
    }
    if "email" not in errors and find_user(email) is not None:
        errors["email"] = f"A user with the email {email} already exists."
    try:
        teams = _teams_by_slug(team_slugs)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        teams=teams,
    )
    _commit_new(user, "email", f"A user with the email {email} already exists.")
    return user


def _commit_new(row, unique_field: str, taken_message: str) -> None:
    """Insert `row`; when another process took the unique value since we checked, say so."""
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError.single(unique_field, taken_message) from None


def set_password(user: User, password: str) -> None:
    """Replace the user's password and sign them out of every other session."""
    problem = rules.password_problem(password, user.email)
    if problem:
        raise ValidationError.single("password", problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    end_all_sessions(user)
    db.session.commit()


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """Let a signed-in user replace their password, proving they know the current one."""
    if not password_matches(user, current_password):
        raise ValidationError.single("current_password", "The current password is not right.")
    set_password(user, new_password)


def _active_admin_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == "admin", User.active)
    )


def _would_remove_last_admin(user: User, role: str, active: bool) -> bool:
    was_active_admin = user.role == "admin" and user.active
    stays_active_admin = role == "admin" and active
    return was_active_admin and not stays_active_admin and _active_admin_count() <= 1


def update_user(
    user: User,
    *,
    display_name: str,
    role: str,
    active: bool,
    team_slugs: Iterable[str],
    role_overridden: bool | None = None,
    actor: User | None = None,
) -> None:
    """Change a user's name, role, active flag and teams in one go, kept in their history.

    `role_overridden` (None leaves it) keeps the role whatever the provider's groups say.
    """
    errors = {
        field: message
        for field, message in (
            ("display_name", rules.display_name_problem(display_name)),
            ("role", _role_problem(role)),
        )
        if message
    }
    if not errors and _would_remove_last_admin(user, role, active):
        field = "role" if role != "admin" else "active"
        errors[field] = "This is the last active admin; make another user admin first."
    try:
        teams = _teams_by_slug(team_slugs)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    if user.active and not active:
        _end_access(user)
    if role_overridden is not None:
        record_change(
            user, "role kept", _yes_no(user.role_overridden), _yes_no(role_overridden), actor=actor
        )
        user.role_overridden = role_overridden
    record_change(user, "role", user.role, role, actor=actor)
    record_change(user, "active", _yes_no(user.active), _yes_no(active), actor=actor)
    record_change(user, "teams", team_list(user.teams), team_list(teams), actor=actor)
    user.display_name = display_name.strip()
    user.role = role
    user.active = active
    user.teams = teams
    db.session.commit()


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def deactivate_user(user: User) -> None:
    """Stop the user signing in and end their sessions; their records stay."""
    if _would_remove_last_admin(user, user.role, active=False):
        raise ValidationError.single(
            "email", f"{user.email} is the last active admin; make another user admin first."
        )
    record_change(user, "active", _yes_no(user.active), "no")
    _end_access(user)
    user.active = False
    db.session.commit()


def _end_access(user: User) -> None:
    """End a deactivated user's sessions and revoke their API tokens, for good: reactivating
    them later must not bring old credentials back to life."""
    user.session_token = new_session_token()
    end_all_sessions(user)
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def create_team(slug: str, name: str, members: Iterable[User] = ()) -> Team:
    """Create a team with a unique slug (and these members), in one transaction."""
    slug = slug.strip().lower()
    errors = {}
    if problem := rules.slug_problem(slug):
        errors["slug"] = problem
    elif find_team(slug) is not None:
        errors["slug"] = f"A team with the slug {slug} already exists."
    if problem := rules.display_name_problem(name):
        errors["name"] = problem
    if errors:
        raise ValidationError(errors)
    team = Team(slug=slug, name=name.strip(), members=list(members))
    _commit_new(team, "slug", f"A team with the slug {slug} already exists.")
    return team


def rename_team(team: Team, name: str) -> None:
    if problem := rules.display_name_problem(name):
        raise ValidationError.single("name", problem)
    team.name = name.strip()
    db.session.commit()


def add_member(team: Team, user: User) -> bool:
    """Put `user` in `team`; False when they already were."""
    if user in team.members:
        return False
    team.members.append(user)
    db.session.commit()
    return True


def remove_member(team: Team, user: User) -> None:
    if user in team.members:
        team.members.remove(user)
        db.session.commit()


def list_users() -> list[User]:
    """Every user with their teams, in two queries."""
    return list(
        db.session.scalars(sa.select(User).options(selectinload(User.teams)).order_by(User.email))
    )


def list_teams() -> list[Team]:
    """Every team with its members, in two queries."""
    return list(
        db.session.scalars(sa.select(Team).options(selectinload(Team.members)).order_by(Team.name))
    )


def has_users() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None
