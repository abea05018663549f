"""The Jira sync: read every linked ticket in batches and apply what changed.

One run at a time (a database lease); each batch is read, then applied in one transaction, or
not at all. Credentials refused or Jira unreachable stop the run; a batch that cannot be read
is skipped and the run is marked partial, so the next run picks it up again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import sqlalchemy as sa

from tracker import clock
from tracker.extensions import db
from tracker.jira import drift, epics, jql, lock
from tracker.jira.batches import Outcome, apply_or_split, end_batch, span, write_retrying
from tracker.jira.client import (
    BatchFailed,
    JiraConnection,
    JiraUnavailable,
    MissingKeys,
    connect,
    key_batches,
)
from tracker.jira.incident_sync import pull_incidents
from tracker.jira.settings import JiraSettings
from tracker.models import JiraLink, JiraTicket, SyncRun
from tracker.models.fitting import fit

# Incremental runs re-read tickets updated since the last good run, with this margin for
# clock skew between Jira and us.
INCREMENTAL_MARGIN_MINUTES = 10


class SyncBusy(Exception):
    """Another sync holds the lease."""


def linked_keys() -> dict[str, bool]:
    """Keys of tickets linked to a risk or mitigation that is not archived, each with whether
    it must be read in full (never read, or broken). Plain values, not rows: holding thousands
    of rows would make every batch's commit expire them all."""
    rows = db.session.execute(
        sa.select(JiraTicket.key, JiraTicket.synced_at, JiraTicket.broken).where(
            JiraTicket.id.in_(drift.of_live_risks(sa.select(JiraLink.ticket_id)))
        )
    )
    return {key: synced_at is None or broken for key, synced_at, broken in rows}


def _jql(keys: list[str], updated_within_minutes: int | None) -> str:
    query = f"key in {jql.issue_keys(keys)}"
    if updated_within_minutes is not None:
        query += f" AND updated >= -{updated_within_minutes}m"
    return query + " ORDER BY key"


def fetch(
    connection: JiraConnection, keys: list[str], within: int | None
) -> tuple[list[dict], list[str]]:
    """The issues of `keys`, and the keys Jira says no longer exist.

    Jira rejects a whole `key in (...)` query for one deleted key; the rejection names it, so
    it is set aside and the rest asked again (at most once per named key).
    """
    missing: list[str] = []
    remaining = list(keys)
    while remaining:
        try:
            return connection.search(_jql(remaining, within)), missing
        except MissingKeys as rejection:
            named = [key for key in rejection.keys if key in remaining]
            if not named:
                raise BatchFailed(
                    f"Jira rejected keys it was not asked about: {rejection}"
                ) from None
            missing += named
            remaining = [key for key in remaining if key not in named]
    return [], missing


def _within_minutes(full: bool) -> int | None:
    """How far back an incremental run looks: since the last good run started, or None."""
    if full:
        return None
    last = db.session.scalar(
        sa.select(sa.func.max(SyncRun.started_at)).where(
            SyncRun.status == "succeeded", SyncRun.dry_run.is_(False)
        )
    )
    if last is None:
        return None
    return int((clock.now() - last).total_seconds() // 60) + INCREMENTAL_MARGIN_MINUTES


def _groups(needs_full: dict[str, bool], within: int | None) -> list[tuple[list[str], int | None]]:
    """Tickets never read (or broken) are always asked for in full; the rest incrementally."""
    if within is None:
        return [(list(needs_full), None)]
    fresh = [key for key, full in needs_full.items() if full]
    known = [key for key, full in needs_full.items() if not full]
    return [(fresh, None), (known, within)]


def run_sync(
    settings: JiraSettings,
    *,
    full: bool = False,
    dry_run: bool = False,
    trigger: str = "cli",
    run: SyncRun | None = None,
    report: Callable[[str], None] | None = None,
) -> SyncRun:
    """Run one sync and return its record. Raises SyncBusy when another run holds the lease.

    Each retry of a request Jira did not answer is told to `report` and kept on the run as its
    progress (shown on its page while it runs)."""
    holder = lock.new_holder()
    if not lock.acquire(holder, settings.lock_seconds):
        raise SyncBusy(_busy_message())
    lock.abandon_dead_runs(lease_held=True)
    run = run or SyncRun(started_at=clock.now(), trigger=trigger)
    run.full, run.dry_run, run.status = full, dry_run, "running"
    db.session.add(run)
    db.session.commit()
    outcome = Outcome()
    connection = None
    try:
        connection = connect(settings, partial(_report_progress, run, report))
        run.deployment = connection.deployment
        _sync_batches(connection, settings, run, outcome, holder, full, dry_run)
        run.status = "partial" if outcome.problems else "succeeded"
    except JiraUnavailable as stop:
        db.session.rollback()
        run.status, run.error = "failed", str(stop)
    except Exception as crash:  # recorded, then re-raised: a bug must not look like success
        db.session.rollback()
        run.status, run.error = "failed", f"The sync crashed: {type(crash).__name__}."
        raise
    finally:
        _finish(run, outcome, connection)
        lock.release(holder)
    return run


def _renew(holder: str, settings: JiraSettings) -> None:
    """Keep the run's lease for the next batch, or stop the run when another took over."""
    if not lock.renew(holder, settings.lock_seconds):
        raise JiraUnavailable(
            "The sync outlived its lease (JIRA_LOCK_SECONDS) and another run took over; "
            "this one stopped."
        )


def _sync_batches(connection, settings, run, outcome, holder, full, dry_run) -> None:
    tickets = linked_keys()
    within = _within_minutes(full)
    run.tickets_total = len(tickets)
    for keys, window in _groups(tickets, within):
        for batch in key_batches(keys, settings.batch_size):
            _renew(holder, settings)
            try:
                issues, missing = fetch(connection, batch, window)
            except BatchFailed as failure:
                db.session.rollback()
                outcome.problems.append(f"{span(batch)}: {failure}")
                continue
            apply_or_split(batch, issues, missing, window is None, settings, outcome, dry_run)
            _progress(run, outcome, connection)
    _refresh_epic_progress(connection, settings, list(tickets), outcome, dry_run)
    _reconcile_untouched(outcome, dry_run)
    if settings.incidents is not None:
        renew = partial(_renew, holder, settings)
        pull_incidents(connection, settings.incidents, outcome, within, dry_run, renew)
        _progress(run, outcome, connection)


def _refresh_epic_progress(connection, settings, keys, outcome, dry_run) -> None:
    """Children done of all for every linked ticket (whatever the window: an epic's progress
    moves when its children change, not the epic), then drift for the tickets that moved."""
    changed, problems = epics.refresh(
        connection, keys, settings.batch_size, lambda: end_batch(dry_run)
    )
    outcome.problems += problems
    _apply_drift(changed, outcome, dry_run, "Epic progress")


RECONCILE_CHUNK = 500


def _reconcile_untouched(outcome: Outcome, dry_run: bool) -> None:
    """Re-derive drift and follow-Jira statuses for linked tickets this run did not read (an
    incremental run skips unchanged tickets): the tracker's side may have changed since — a
    mitigation marked done, a link added — and each flag must clear once its disagreement ends.
    """
    ids = [
        ticket_id
        for ticket_id in db.session.scalars(
            sa.select(JiraTicket.id).where(JiraTicket.synced_at.isnot(None))
        )
        if ticket_id not in outcome.touched
    ]
    _apply_drift(ids, outcome, dry_run, "Re-checking tickets not read this run")


def _apply_drift(ticket_ids: list[int], outcome: Outcome, dry_run: bool, what: str) -> None:
    """Follow-Jira statuses and drift for the items of these tickets, a chunk per transaction;
    a chunk that cannot be written is a problem of the run, named by `what`."""
    for start in range(0, len(ticket_ids), RECONCILE_CHUNK):
        chunk = ticket_ids[start : start + RECONCILE_CHUNK]

        def reconcile(done: Outcome, chunk=chunk) -> None:
            done.mitigations += drift.apply_to_items(chunk)

        problem = write_retrying(reconcile, outcome, dry_run)
        if problem:
            outcome.problems.append(f"{what}: {problem}")


def _progress(run: SyncRun, outcome: Outcome, connection) -> None:
    run.tickets_read, run.tickets_changed = outcome.read, outcome.changed
    run.mitigations_changed, run.links_broken = outcome.mitigations, outcome.broken
    run.incidents_read, run.incidents_changed = outcome.incidents_read, outcome.incidents_changed
    run.requests = connection.requests_made if connection else 0
    db.session.commit()


def _finish(run: SyncRun, outcome: Outcome, connection) -> None:
    run = db.session.merge(run)
    run.problems = json.dumps(outcome.problems)
    run.finished_at = clock.now()
    _progress(run, outcome, connection)


def _report_progress(run: SyncRun, report: Callable[[str], None] | None, line: str) -> None:
    # Requests happen between batches, when the session holds nothing half-written.
    run.progress = fit(SyncRun.progress, line)
    db.session.commit()
    if report is not None:
        report(line)


def _busy_message() -> str:
    until = lock.held_until()
    when = f" (its lease runs until {until:%Y-%m-%d %H:%M} UTC)" if until else ""
    return f"Another Jira sync is running{when}; this one did not start."
