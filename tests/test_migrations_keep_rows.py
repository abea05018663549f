"""Upgrading from the first migration to head on a populated database loses no row.

The database is taken down to base, then upgraded one migration at a time; after each step
every table that exists is given fresh rows (values made from the column types, within the
schema's checks), and at head every row written along the way must still be there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from tracker.extensions import db

# Values the schema's CHECK constraints accept, by table and column (or column alone).
CHECKED = {
    ("users", "role"): "viewer",
    ("risks", "status"): "open",
    ("risks", "treatment"): "mitigate",
    ("risks", "mitigation_work"): "none",
    ("mitigations", "status"): "planned",
    # A follow-up (with a source incident) needs a horizon; an ordinary mitigation has neither.
    ("mitigations", "source_incident_id"): None,
    ("mitigations", "horizon"): None,
    ("incidents", "status"): "open",
    ("review_decisions", "kind"): "note",
    ("jira_links", "mitigation_id"): None,  # a link names a risk or a mitigation, not both
    ("reviews", "open_slot"): None,  # at most one open review
    "users_impacted": 0.5,
}
SKIPPED = {"alembic_version"}


def revisions() -> list[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def value_for(table: sa.Table, column: sa.Column, serial: int, last_ids: dict[str, int]):
    for key in ((table.name, column.name), column.name):
        if key in CHECKED:
            return CHECKED[key]
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table.name
        return last_ids.get(target)
    kind = column.type
    if isinstance(kind, sa.JSON):
        return [f"v{serial}"]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None) + timedelta(hours=serial)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1) + timedelta(days=serial)
    if isinstance(kind, sa.Integer):
        # On every 1-5 scale, unless the column must be unique.
        return 1000 + serial if column.name in unique_columns(table) else 1 + serial % 5
    if isinstance(kind, sa.Float | sa.Numeric):
        return 0.5
    if isinstance(kind, sa.String | sa.Text):
        length = getattr(kind, "length", None) or 40
        return f"v{serial}"[:length]
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind!r})")


def populate(serial: count, written: dict[str, set]) -> None:
    """One new row in every table, parents first; remember each row's primary key."""
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    last_ids: dict[str, int] = {}
    with db.engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name in SKIPPED:
                continue
            row = {
                column.name: value_for(table, column, next(serial), last_ids)
                for column in table.columns
                if not (column.primary_key and column.autoincrement is not False and _is_id(column))
            }
            result = connection.execute(table.insert().values(**row))
            key = _key(table, row, result)
            written.setdefault(table.name, set()).add(key)
            if "id" in table.columns:
                last_ids[table.name] = key[0]


def unique_columns(table: sa.Table) -> set[str]:
    """Columns that alone must be unique (by a unique constraint or index)."""
    groups = [c.columns for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    groups += [index.columns for index in table.indexes if index.unique]
    return {next(iter(group)).name for group in groups if len(group) == 1}


def _is_id(column: sa.Column) -> bool:
    return column.name == "id" and isinstance(column.type, sa.Integer)


def _key(table: sa.Table, row: dict, result) -> tuple:
    if "id" in table.columns and "id" not in row:
        return tuple(result.inserted_primary_key)
    return tuple(row[column.name] for column in table.primary_key.columns)


def stored_keys(table: sa.Table) -> set[tuple]:
    with db.engine.connect() as connection:
        return {tuple(row) for row in connection.execute(sa.select(*table.primary_key.columns))}


def test_upgrading_step_by_step_from_the_first_migration_loses_no_row(app):
    db.session.remove()
    downgrade(revision="base")
    written: dict[str, set] = {}
    serial = count()
    try:
        for revision in revisions():
            upgrade(revision=revision)
            populate(serial, written)
    finally:
        upgrade()
        db.engine.dispose()

    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    lost = {
        name: sorted(keys - stored_keys(metadata.tables[name]), key=repr)
        for name, keys in written.items()
        if keys - stored_keys(metadata.tables[name])
    }
    assert lost == {}
    assert len(written) >= 15, "the check saw the register's tables"
