"""How a browser session maps to a user (Flask-Login)."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_login import login_user

from tracker import clock
from tracker.extensions import db, login_manager
from tracker.models import User


def load_user(session_id: str) -> User | None:
    """The active user whose id and current session token make up `session_id`, else None.

    The token changes when the password changes or the user is deactivated, which ends every
    session that carried the old one.
    """
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def start_session(user: User) -> None:
    """Sign `user` in to this browser and note the time: every way of signing in ends here."""
    login_user(user)
    user.last_sign_in_at = clock.now()
    db.session.commit()


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
