"""Database set-up that differs between SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.extensions import db


def init_app(app: Flask) -> None:
    """Give every SQLite connection foreign keys, WAL and a busy timeout."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite_connection)


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets readers proceed while a writer commits: several app processes share one file.
    cursor.execute("PRAGMA journal_mode = WAL")
    # Writers queue for SQLite's one write lock, and its busy handler is not fair: under a
    # burst of simultaneous saves one may wait several seconds before its turn comes.
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


def database_answers() -> bool:
    """True when a trivial query succeeds; used by the health check."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except Exception:  # any driver error means "not healthy", never a crash
        db.session.rollback()
        return False
    return True


def lock_row(model, row_id: int) -> None:
    """Take the write lock on one row (by `id`) until the transaction ends, so that what the
    transaction reads next is what it will write over.

    A write that changes nothing does it on both databases: on PostgreSQL it holds the row's
    lock (like SELECT … FOR UPDATE), on SQLite, which has no row locks, the database's write
    lock.
    """
    table = model.__table__
    db.session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def literal_limit(count: int) -> sa.BindParameter:
    """A LIMIT written into the SQL as a number rather than a parameter.

    SQLite plans a `LIMIT ?` as if the limit were unknown and then prefers walking an ORDER BY
    index over the whole table; told "LIMIT 10" it filters by the WHERE clause's index and sorts
    the few rows left, which halves the dashboard's short lists.
    """
    return sa.bindparam("literal_limit", count, type_=sa.Integer, literal_execute=True)


class epoch_seconds(FunctionElement):
    """SQL: a UTCDateTime column as POSIX seconds (a float), computed by the database, so a
    query over thousands of rows hands back numbers instead of building a datetime per row.

    The columns hold naive UTC, which both databases read as UTC here.
    """

    type = sa.Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw) -> str:
    # Julian-day arithmetic is off by some microseconds; rounded to the millisecond (by a cast,
    # which SQLite does far faster than round() or strftime) it is exact.
    column = compiler.process(element.clauses, **kw)
    return f"(CAST((julianday({column}) - 2440587.5) * 86400000.0 + 0.5 AS INTEGER) / 1000.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw) -> str:
    # EXTRACT answers numeric since PostgreSQL 14; a float is what the callers add up.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS DOUBLE PRECISION)"


def schema_object_filter(dialect_name: str):
    """An Alembic `include_object` that leaves out what the models build only on other
    databases (``.ddl_if(dialect=...)``), so comparing the schema with the models on SQLite
    does not ask for PostgreSQL's indexes."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return only_on is None or only_on == dialect_name

    return include_object
