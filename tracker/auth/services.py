"""Signing in: password check, active flag and throttling."""

from __future__ import annotations

from functools import cache

from flask import current_app

from tracker import clock
from tracker.accounts import rules, services
from tracker.auth import throttle
from tracker.models import User
from tracker.sso.settings import SsoSettings, password_login_mode

GENERIC_FAILURE = "That email and password do not match an active account."


class SignInRefused(Exception):
    """The sign-in did not succeed; the message is safe to show."""


@cache
def _decoy_hash() -> str:
    # Checked against when the email is unknown, so unknown and known emails take as long.
    return services.hash_password("decoy password that matches nothing")


def _provider_name() -> str:
    sso = SsoSettings.from_config(current_app.config)
    return sso.provider_name if sso else "single sign-on"


def authenticate(email: str, password: str, address: str) -> User:
    """Return the active user with these credentials, or raise SignInRefused saying why.

    PASSWORD_LOGIN=off refuses every password; admins-only refuses everyone but admins, after
    the password check so that the answer reveals nothing to someone who does not know it.
    """
    mode = password_login_mode(current_app.config)
    if mode == "off":
        raise SignInRefused(
            f"Passwords are turned off here: use “Sign in with {_provider_name()}”."
        )
    email = rules.normalise_email(email)[:254]
    address = (address or "unknown")[:254]
    policy = throttle.ThrottlePolicy.from_config(current_app.config)
    now = clock.now()
    attempt = throttle.claim_attempt(policy, email, address, now)
    if attempt.wait:
        wait = attempt.wait
        raise SignInRefused(
            f"Too many failed sign-in attempts. Try again in {wait} second{'s' * (wait != 1)}."
        )
    user = services.find_user(email)
    if user is None or not user.password_hash:
        services.check_password_hash(_decoy_hash(), password)
        matched = False
    else:
        matched = services.password_matches(user, password)
    if not matched:
        raise SignInRefused(GENERIC_FAILURE)  # the attempt stays counted as a failure
    throttle.forgive(attempt, email)
    if not user.active:
        raise SignInRefused("This account has been deactivated. Ask an admin to reactivate it.")
    if mode == "admins-only" and user.role != "admin":
        raise SignInRefused(
            f"Only admins sign in with a password here: use “Sign in with {_provider_name()}”."
        )
    return user
