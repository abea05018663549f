"""Writing what the sync read: one batch of tickets at a time, each in one transaction.

A batch that meets people's saves of the same mitigations is written again on the mitigations
as they left them; one the database refuses is written ticket by ticket, so one bad ticket
spoils only itself. Nothing here raises for either: the run records a problem and goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker import clock, register_version
from tracker.domain import jira_mapping
from tracker.extensions import db
from tracker.jira import drift
from tracker.jira.settings import JiraSettings
from tracker.jira.tickets import TicketData, parse_issue
from tracker.models import JiraTicket
from tracker.models.fitting import fit

logger = logging.getLogger(__name__)

TICKET_COLUMNS = (
    "summary",
    "status",
    "status_category",
    "resolution",
    "assignee",
    "due_date",
    "fix_versions",
    "updated",
)


@dataclass
class Outcome:
    read: int = 0
    changed: int = 0
    mitigations: int = 0
    broken: int = 0
    problems: list[str] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    # Incidents read from Jira (tracker.jira.incident_sync), and how many it changed.
    incidents_read: int = 0
    incidents_changed: int = 0

    def add(self, other: Outcome) -> None:
        """Count in what one batch did, once it is committed."""
        self.read += other.read
        self.changed += other.changed
        self.mitigations += other.mitigations
        self.broken += other.broken
        self.problems += other.problems
        self.touched |= other.touched
        self.incidents_read += other.incidents_read
        self.incidents_changed += other.incidents_changed


# The columns themselves, not the model's attributes: reading a length through an attribute
# costs more than the rest of storing a ticket.
_COLUMNS = {name: JiraTicket.__table__.c[name] for name in TICKET_COLUMNS}


def _store(ticket: JiraTicket, data: TicketData, wont_do) -> bool:
    """Copy Jira's fields onto the cached ticket, each cut to fit its column, touching only
    those that differ (a ticket nothing changed on stays clean in the session); True if any
    of Jira's fields changed."""
    changed = ticket.broken or ticket.synced_at is None
    for name in TICKET_COLUMNS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = fit(_COLUMNS[name], value)
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed = True
    state = jira_mapping.ticket_state(data.status_category, data.resolution, wont_do)
    if ticket.state != state:
        ticket.state = state
    if ticket.broken or ticket.broken_reason is not None:
        ticket.broken, ticket.broken_reason = False, None
    return changed


def _mark_broken(ticket: JiraTicket, reason: str) -> bool:
    changed = not ticket.broken
    ticket.broken, ticket.broken_reason, ticket.state = True, reason, None
    ticket.synced_at = clock.now()
    return changed


def apply_batch(
    keys: list[str],
    issues: list[dict],
    missing: list[str],
    absent_is_broken: bool,
    settings: JiraSettings,
    outcome: Outcome,
) -> None:
    """Write one batch's results (caller commits or rolls back)."""
    # Read afresh: the previous batch's commit expired everything loaded before it.
    tickets = {
        ticket.key: ticket
        for ticket in db.session.scalars(sa.select(JiraTicket).where(JiraTicket.key.in_(keys)))
    }
    found = {}
    for issue in issues:
        data = parse_issue(issue)
        found[data.key] = data
    touched, unchanged = [], []
    for key, ticket in tickets.items():
        if key in found:
            changed = _store(ticket, found[key], settings.wont_do)
            if sa.inspect(ticket).modified:
                ticket.synced_at = clock.now()
            else:
                unchanged.append(ticket.id)
        elif key in missing:
            changed = _mark_broken(
                ticket,
                "Jira says the ticket does not exist: deleted, moved, or hidden from the sync.",
            )
        elif absent_is_broken:
            changed = _mark_broken(
                ticket,
                "Jira did not return the ticket: deleted, or hidden from the sync's account.",
            )
        else:
            continue
        touched.append(ticket.id)
        outcome.read += key in found
        outcome.changed += changed
        outcome.broken += ticket.broken
    if unchanged:
        # One statement stamps every ticket Jira sent as it was, instead of an UPDATE each.
        db.session.execute(
            sa.update(JiraTicket)
            .where(JiraTicket.id.in_(unchanged))
            .values(synced_at=clock.now())
            .execution_options(**register_version.CHANGES_NO_FIGURE)
        )
    db.session.flush()
    outcome.touched.update(touched)
    outcome.mitigations += drift.apply_to_items(touched)


def span(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]}…{keys[-1]}"


def apply_or_split(keys, issues, missing, absent_is_broken, settings, outcome, dry_run) -> None:
    """Write one batch; when the database refuses it, write its tickets one by one, so one bad
    ticket spoils only itself (recorded as a problem: the run ends partial)."""
    attempt = partial(apply_batch, keys, issues, missing, absent_is_broken, settings)
    problem = write_retrying(attempt, outcome, dry_run)
    if problem is None:
        return
    if len(keys) == 1:
        outcome.problems.append(f"{keys[0]}: {problem}")
        return
    for key in keys:
        own = [issue for issue in issues if str(issue["key"]).upper() == key]
        apply_or_split([key], own, missing, absent_is_broken, settings, outcome, dry_run)


# A write that meets people's saves of the same mitigations is tried again this often.
WRITE_ATTEMPTS = 3


def write_retrying(write: Callable[[Outcome], None], outcome: Outcome, dry_run: bool) -> str | None:
    """Run `write(batch_outcome)` and commit it (roll back on a dry run); None when it was
    written, else why not.

    A person saving one of the mitigations at the same moment wins: the write is rolled back
    and done again on the mitigation as they left it. Any other refusal by the database is
    reported, never raised, so the batches after it still run.
    """
    for _ in range(WRITE_ATTEMPTS):
        done = Outcome()
        try:
            write(done)
            end_batch(dry_run)
        except StaleDataError:
            db.session.rollback()
            continue
        except Exception as error:  # reported on the run and logged; the run goes on
            db.session.rollback()
            logger.exception("Jira sync: a write failed")
            return f"not saved ({type(error).__name__}: {_first_line(error)})"
        outcome.add(done)
        return None
    return "not saved: people kept changing the same mitigations; the next run tries again"


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else "")[:200]


def end_batch(dry_run: bool) -> None:
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
