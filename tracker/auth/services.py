"""Signing in: password check, active flag and throttling."""

from __future__ import annotations

from functools import cache

from flask import current_app

from tracker import clock
from tracker.accounts import rules, services
from tracker.auth import throttle
from tracker.models import User

GENERIC_FAILURE = "That email and password do not match an active account."


class SignInRefused(Exception):
    """The sign-in did not succeed; the message is safe to show."""


@cache
def _decoy_hash() -> str:
    # Checked against when the email is unknown, so unknown and known emails take as long.
    return services.hash_password("decoy password that matches nothing")


def authenticate(email: str, password: str, address: str) -> User:
    """Return the active user with these credentials, or raise SignInRefused saying why."""
    email = rules.normalise_email(email)[:254]
    address = (address or "unknown")[:254]
    policy = throttle.ThrottlePolicy.from_config(current_app.config)
    now = clock.now()
    wait = throttle.retry_after(policy, email, address, now)
    if wait:
        raise SignInRefused(
            f"Too many failed sign-in attempts. Try again in {wait} second{'s' * (wait != 1)}."
        )
    user = services.find_user(email)
    if user is None:
        services.check_password_hash(_decoy_hash(), password)
        matched = False
    else:
        matched = services.password_matches(user, password)
    if not matched:
        throttle.record_failure(policy, email, address, now)
        raise SignInRefused(GENERIC_FAILURE)
    if not user.active:
        raise SignInRefused("This account has been deactivated. Ask an admin to reactivate it.")
    throttle.clear_account_failures(email)
    return user
