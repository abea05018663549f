"""Throttling of failed sign-ins, per account and per client address.

A key is locked while it has at least `limit` failures inside the sliding window; it unlocks when
enough of them age out. While locked, passwords are not even checked, so guessing gains nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import LoginFailure


@dataclass(frozen=True)
class ThrottlePolicy:
    window_seconds: int
    per_account: int
    per_address: int

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(
            window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
            per_account=config["LOGIN_FAILURES_PER_ACCOUNT"],
            per_address=config["LOGIN_FAILURES_PER_ADDRESS"],
        )


def seconds_until_unlocked(
    failure_times: list[datetime], limit: int, window: timedelta, now: datetime
) -> int:
    """Seconds until fewer than `limit` of `failure_times` lie inside the window; 0 if already.

    Pure: `failure_times` are the failures inside the window, in any order.
    """
    recent = sorted(t for t in failure_times if t > now - window)
    if len(recent) < limit:
        return 0
    # Once this failure ages out, limit - 1 remain.
    unlocking_failure = recent[len(recent) - limit]
    return max(1, math.ceil((unlocking_failure + window - now).total_seconds()))


def _failure_times(scope: str, key: str, since: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            sa.select(LoginFailure.failed_at).where(
                LoginFailure.scope == scope,
                LoginFailure.key == key,
                LoginFailure.failed_at > since,
            )
        )
    )


def retry_after(policy: ThrottlePolicy, email: str, address: str, now: datetime) -> int:
    """Seconds the caller must wait before trying to sign in as `email` from `address`."""
    window = timedelta(seconds=policy.window_seconds)
    since = now - window
    return max(
        seconds_until_unlocked(
            _failure_times("account", email, since), policy.per_account, window, now
        ),
        seconds_until_unlocked(
            _failure_times("address", address, since), policy.per_address, window, now
        ),
    )


def record_failure(policy: ThrottlePolicy, email: str, address: str, now: datetime) -> None:
    """Remember a failed sign-in, and forget failures that no longer count."""
    db.session.execute(
        sa.delete(LoginFailure).where(
            LoginFailure.failed_at <= now - timedelta(seconds=policy.window_seconds)
        )
    )
    db.session.add_all(
        [
            LoginFailure(scope="account", key=email, failed_at=now),
            LoginFailure(scope="address", key=address, failed_at=now),
        ]
    )
    db.session.commit()


def clear_account_failures(email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.scope == "account", LoginFailure.key == email)
    )
    db.session.commit()
