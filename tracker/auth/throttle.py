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


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt counted against the limits until its password proves right."""

    wait: int  # seconds to wait when refused before any password check; 0 when allowed
    address_failure_id: int | None = None


def claim_attempt(policy: ThrottlePolicy, email: str, address: str, now: datetime) -> Attempt:
    """Count one sign-in attempt, atomically: either the seconds to wait (nothing recorded,
    no password may be checked), or the attempt recorded as a failure up front, to be forgiven
    once its password proves right.

    Checking the limit and recording the attempt happen under one lock, so a burst of
    simultaneous attempts gets exactly `per_account` password checks, not one per request
    that read the count before the others wrote theirs.
    """
    _lock_attempts()
    db.session.execute(
        sa.delete(LoginFailure).where(
            LoginFailure.failed_at <= now - timedelta(seconds=policy.window_seconds)
        )
    )
    wait = retry_after(policy, email, address, now)
    if wait:
        db.session.rollback()
        return Attempt(wait)
    by_address = LoginFailure(scope="address", key=address, failed_at=now)
    db.session.add_all([LoginFailure(scope="account", key=email, failed_at=now), by_address])
    db.session.commit()
    return Attempt(0, by_address.id)


def forgive(attempt: Attempt, email: str) -> None:
    """The password was right: forget the account's failures and this attempt's count against
    the address (earlier failures from the address still count)."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == attempt.address_failure_id))
    clear_account_failures(email)


def _lock_attempts() -> None:
    """Hold the throttle's lock until the transaction ends. PostgreSQL: an advisory lock;
    SQLite: the write lock, which the DELETE that follows takes anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(THROTTLE_LOCK_ID)))


# Any fixed number: it names the throttle's advisory lock among the database's others.
THROTTLE_LOCK_ID = 7_141_001


def clear_account_failures(email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's)."""
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.scope == "account", LoginFailure.key == email)
    )
    db.session.commit()
