"""How a browser session maps to a user (Flask-Login), and where it starts and ends.

The signed session cookie carries two things: Flask-Login's user id (with the user's session
token, which changes when the password changes or the user is deactivated) and the random id of
a `login_sessions` row. The row is what signing out ends, so a cookie copied before that is
worth nothing after it, although its signature is still good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, g, session
from flask_login import login_user, logout_user

from tracker import clock
from tracker.extensions import db, login_manager
from tracker.models import LoginSession, User

SESSION_KEY = "login_session"
# Flask-WTF keeps the form token's secret in the session under this key.
CSRF_KEY = "csrf_token"
# "Last seen" is worth knowing to the minute; writing it on every request is not.
LAST_SEEN_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_user(session_id: str) -> User | None:
    """The active user whose id and current session token make up `session_id`, when this
    browser's login session has not ended; else None. One query per request (and a write of
    `last_seen_at` at most once a minute)."""
    user_id, _, token = session_id.partition(":")
    login_token = session.get(SESSION_KEY)
    if not user_id.isdigit() or not token or not isinstance(login_token, str):
        return None
    row = db.session.execute(
        sa.select(User, LoginSession.id, LoginSession.last_seen_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            LoginSession.token_hash == _hash(login_token),
            LoginSession.ended_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    user, login_session_id, last_seen = row
    if not user.active or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    _note_seen(login_session_id, last_seen)
    return user


def _note_seen(login_session_id: int, last_seen) -> None:
    now = clock.now()
    if now - last_seen < LAST_SEEN_EVERY:
        return
    # On a connection of its own: committing the request's session would expire what it
    # loaded (the user) and cost queries again.
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(LoginSession)
            .where(LoginSession.id == login_session_id)
            .values(last_seen_at=now)
        )


def open_login_session(user: User) -> str:
    """Record a new login session of `user` (committed by the caller) and return the random id
    to keep in the browser's session."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        LoginSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now)
    )
    return token


def start_session(user: User) -> None:
    """Sign `user` in to this browser and note the time: every way of signing in ends here.

    The form token's secret is dropped, so a token taken from a page before signing in is
    refused after it.
    """
    _begin(user)
    user.last_sign_in_at = clock.now()
    db.session.commit()


def renew_session(user: User) -> None:
    """Keep this browser signed in after the user's other sessions were ended (a password
    change): a new login session replaces the ended one."""
    _begin(user)
    db.session.commit()


def _begin(user: User) -> None:
    session.pop(CSRF_KEY, None)
    g.pop(CSRF_KEY, None)
    session[SESSION_KEY] = open_login_session(user)
    login_user(user)


def end_session() -> None:
    """Sign this browser out and end its login session on the server."""
    token = session.pop(SESSION_KEY, None)
    if isinstance(token, str):
        db.session.execute(
            sa.update(LoginSession)
            .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        db.session.commit()
    logout_user()


def end_all_sessions(user: User) -> None:
    """End every login session of `user` (the caller commits): password changes and
    deactivation sign the user out everywhere."""
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
