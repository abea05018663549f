"""The register's version: a counter that every committed change to the register bumps.

Cached figures (the dashboard's) are stored under the version they were computed at, so one
cheap query (`current()`) tells whether they are current. The bump happens in one place, a
hook on every database session, so no write path can forget it:

- an ORM flush that adds, changes or deletes a row of a tracked table marks the session, and
  so does an INSERT, UPDATE or DELETE statement run through the session (bulk writes, locks);
- just before the session commits, a marked session adds 1 to the counter, in the same
  transaction: the new version and the change it stands for become visible together, so
  whoever reads the version after their own save never gets figures from before it.

The bump is the transaction's last statement, so it holds the counter's row lock only while
committing (two writers never wait on each other in opposite orders). A rolled-back
transaction bumps nothing.

Tables whose writes change no figure (the dashboard's own weekly rows, sign-in bookkeeping,
locks) are left out, as are the columns of `users` that signing in writes.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, SessionTransaction

from tracker.extensions import db
from tracker.models import RegisterVersion

UNTRACKED_TABLES = frozenset(
    {
        "register_version",
        "weekly_snapshots",
        "login_failures",
        "login_sessions",
        "sync_locks",
        "api_tokens",
        "key_counters",
    }
)
# Columns written by signing in and out, and a sync's bookkeeping (when each ticket was last
# read, a run's counts and progress), which no cached figure shows: a sync that finds nothing
# changed would otherwise empty the cache at every batch.
UNTRACKED_COLUMNS = {
    "users": frozenset({"last_sign_in_at", "session_token", "password_hash", "oidc_groups"}),
    "jira_tickets": frozenset({"synced_at"}),
    "sync_runs": frozenset(
        {
            "tickets_total",
            "tickets_read",
            "tickets_changed",
            "mitigations_changed",
            "links_broken",
            "incidents_read",
            "incidents_changed",
            "requests",
            "progress",
            "problems",
        }
    ),
}
# Execution options of a statement that writes only untracked columns (see UNTRACKED_COLUMNS):
# statements are not looked into, so such a statement says so itself.
CHANGES_NO_FIGURE = {"changes_no_figure": True}

_CHANGED = "register_changed"
_ROW = "register"
_table = RegisterVersion.__table__


def current() -> int:
    """The version of the register as committed now (0 before any change)."""
    return db.session.scalar(sa.select(_table.c.version).where(_table.c.name == _ROW)) or 0


def listen() -> None:
    """Install the hooks on the app's session class (once per process)."""
    if event.contains(Session, "before_commit", _bump_before_commit):
        return
    event.listen(Session, "after_flush", _note_flushed_changes)
    event.listen(Session, "do_orm_execute", _note_write_statement)
    event.listen(Session, "before_commit", _bump_before_commit)
    event.listen(Session, "after_transaction_end", _forget_on_rollback)


def _table_name(instance) -> str:
    return sa.inspect(instance).mapper.local_table.name


def _changes_register(instance) -> bool:
    name = _table_name(instance)
    if name in UNTRACKED_TABLES:
        return False
    ignored = UNTRACKED_COLUMNS.get(name)
    if ignored is None:
        return True
    return any(
        attr.history.has_changes() for attr in sa.inspect(instance).attrs if attr.key not in ignored
    )


def _note_flushed_changes(session, _flush_context) -> None:
    # After a flush the session still lists what it flushed, with each attribute's history.
    touched = [*session.new, *session.deleted]
    touched += [obj for obj in session.dirty if session.is_modified(obj)]
    if any(_changes_register(obj) for obj in touched):
        session.info[_CHANGED] = True


def _note_write_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("changes_no_figure"):
        return
    if getattr(state.statement.table, "name", None) not in UNTRACKED_TABLES:
        state.session.info[_CHANGED] = True


def _bump_before_commit(session) -> None:
    # Flush first: the commit's own flush comes after this hook, too late to be counted.
    session.flush()
    if session.info.pop(_CHANGED, False):
        bumped = session.execute(
            sa.update(_table).where(_table.c.name == _ROW).values(version=_table.c.version + 1)
        )
        if bumped.rowcount == 0:  # a database restored from before the counter existed
            session.execute(sa.insert(_table).values(name=_ROW, version=1))


def _forget_on_rollback(session, transaction: SessionTransaction) -> None:
    # A committed root transaction has already bumped; a rolled-back one changed nothing.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
