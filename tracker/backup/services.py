"""Copies of an SQLite database made with SQLite's online backup API, and restoring them.

A backup is a consistent snapshot even while the app serves: SQLite copies every page under
one read transaction, WAL contents included (a plain `cp` of tracker.db in WAL mode misses
whatever is still in tracker.db-wal). PostgreSQL deployments use pg_dump / pg_restore, which do
the same for a server database; these functions refuse one with that advice.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.extensions import db
from tracker.validation import ValidationError

PG_DUMP_ADVICE = (
    "This database is PostgreSQL: back it up with pg_dump --format=custom --file=FILE "
    '"$DATABASE_URL" and restore with pg_restore --clean --if-exists --no-owner '
    '--dbname="$DATABASE_URL" FILE (see the README).'
)
# Tables a fresh database has rows in: what the migrations seed, not anybody's data.
SEEDED_TABLES = {"alembic_version", "categories", "key_counters", "sync_locks"}


def _sqlite_path(engine: Engine) -> str:
    if engine.dialect.name != "sqlite":
        raise ValidationError.single("database", PG_DUMP_ADVICE)
    return engine.url.database or ""


def backup(target: Path) -> dict[str, int]:
    """Copy the app's SQLite database to `target` (which must not exist yet); return the rows
    per table of the copy."""
    _sqlite_path(db.engine)
    if target.exists():
        raise ValidationError.single("file", f"{target} exists; name a new file.")
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            raw.driver_connection.backup(copy)
        copy.close()
    finally:
        raw.close()
    return row_counts(sa.create_engine(f"sqlite:///{target}"))


def restore(source: Path, *, force: bool = False) -> dict[str, int]:
    """Replace the app's SQLite database with the backup at `source`; return its rows per
    table. Refuses a database that holds data unless `force`, and a file that is not a backup
    of this tracker. Stop the app first: the people using it would see their data vanish."""
    _sqlite_path(db.engine)
    check_is_backup(source)
    if not force and has_data(db.engine):
        raise ValidationError.single(
            "database",
            "The database holds data; restoring would replace it. Restore into an empty "
            "database, or add --force to replace it.",
        )
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(source) as backup_file:
            backup_file.backup(raw.driver_connection)
        backup_file.close()
    finally:
        raw.close()
    db.engine.dispose()
    return row_counts(db.engine)


def check_is_backup(source: Path) -> None:
    """Refuse a missing file, or one that is not an SQLite database with the tracker's tables."""
    if not source.is_file():
        raise ValidationError.single("file", f"{source} does not exist.")
    read_only = f"{source.resolve().as_uri()}?mode=ro"
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(read_only, uri=True))
    try:
        tables = set(sa.inspect(engine).get_table_names())
    except sa.exc.DatabaseError:
        tables = set()
    finally:
        engine.dispose()
    if not {"alembic_version", "risks"} <= tables:
        raise ValidationError.single(
            "file", f"{source} is not a backup of this tracker (no tracker tables in it)."
        )


def has_data(engine: Engine) -> bool:
    """True when any table holds rows beyond what the migrations seed."""
    counts = row_counts(engine)
    return any(rows for table, rows in counts.items() if table not in SEEDED_TABLES)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in each table of the database, by table name."""
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in names
        }
