"""A lease in the database so that one Jira sync runs at a time, across every process and
machine that shares the database. A holder that crashed stops renewing, and its lease expires."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker import clock
from tracker.extensions import db
from tracker.models import SyncLock, SyncRun

LOCK_NAME = "jira"


def new_holder() -> str:
    """Who is asking: host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


def acquire(holder: str, seconds: int, name: str = LOCK_NAME) -> bool:
    """Take the lease if it is free or expired. Atomic: a single conditional UPDATE."""
    now = clock.now()
    result = db.session.execute(
        sa.update(SyncLock)
        .where(
            SyncLock.name == name,
            sa.or_(SyncLock.holder.is_(None), SyncLock.expires_at < now),
        )
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    db.session.commit()
    return result.rowcount == 1


def renew(holder: str, seconds: int, name: str = LOCK_NAME) -> bool:
    """Extend the lease while working; False if it was lost (expired and taken by another)."""
    result = db.session.execute(
        sa.update(SyncLock)
        .where(SyncLock.name == name, SyncLock.holder == holder)
        .values(expires_at=clock.now() + timedelta(seconds=seconds))
    )
    db.session.commit()
    return result.rowcount == 1


def release(holder: str, name: str = LOCK_NAME) -> None:
    db.session.execute(
        sa.update(SyncLock)
        .where(SyncLock.name == name, SyncLock.holder == holder)
        .values(holder=None, expires_at=None)
    )
    db.session.commit()


def held_until(name: str = LOCK_NAME) -> datetime | None:
    """When the current lease ends, or None when nobody holds it."""
    row = db.session.get(SyncLock, name)
    if row is None or row.holder is None or row.expires_at is None:
        return None
    return row.expires_at if row.expires_at > clock.now() else None


ABANDONED = (
    "Stopped without finishing: its process ended (killed, or the machine went down) and its "
    "lease expired."
)


def _live_lease(now: datetime, name: str = LOCK_NAME):
    return (
        sa.select(SyncLock.name)
        .where(SyncLock.name == name, SyncLock.holder.isnot(None), SyncLock.expires_at >= now)
        .exists()
    )


def abandon_dead_runs(*, lease_held: bool = False) -> int:
    """Mark runs that still say "running" although no sync holds a live lease as abandoned:
    their process ended without finishing, and they would otherwise show as running forever.

    `lease_held`: the caller holds the lease itself, so every run still running is dead. Costs
    one query when there is none; commits when there are.
    """
    now = clock.now()
    dead = (
        sa.and_(SyncRun.status == "running", ~_live_lease(now))
        if not lease_held
        else (SyncRun.status == "running")
    )
    if not db.session.scalar(sa.select(sa.exists().where(dead))):
        return 0
    result = db.session.execute(
        sa.update(SyncRun).where(dead).values(status="abandoned", error=ABANDONED)
    )
    db.session.commit()
    return result.rowcount
