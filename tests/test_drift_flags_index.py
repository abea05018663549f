"""The drift page counts every open flag of each kind and shows each kind's oldest first, so it
must not read every flag's row: the migrations build an index on drift_flags (kind, first_seen,
id, risk_id, mitigation_id) on SQLite and PostgreSQL; SQLite's plan for the counts reads that
index alone and its plan for a kind's first rows is a range of it, in the page's order.

PostgreSQL chooses its plan from statistics a test's few rows cannot give (see
tests/test_acceptance_expiry_index.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tracker.extensions import db
from tracker.jira import queries

INDEX = "ix_drift_flags_by_kind"


@contextmanager
def plans() -> Iterator[list[str]]:
    """Yield a list that collects SQLite's plan of every statement run inside the block."""
    ran: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        ran.append((statement, parameters))

    found: list[str] = []
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    connection = db.session.connection()
    for statement, parameters in ran:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        found.append("\n".join(row[-1] for row in rows))


def test_the_migrations_build_the_drift_index(app):
    indexes = {
        index["name"]: index["column_names"]
        for index in sa.inspect(db.engine).get_indexes("drift_flags")
    }
    assert indexes.get(INDEX) == ["kind", "first_seen", "id", "risk_id", "mitigation_id"]


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's plan depends on statistics (see the module docstring)")


def test_the_counts_of_every_team_read_the_index_alone(sqlite_only):
    with plans() as found:
        queries.drift_counts(None)
    [plan] = found
    assert f"SCAN drift_flags USING COVERING INDEX {INDEX}" in plan, plan
    assert "SEARCH risks USING INTEGER PRIMARY KEY" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("team", [None, "sre"])
def test_a_kinds_first_rows_are_a_range_of_the_index_in_order(sqlite_only, factory, team):
    factory.team("sre", "SRE")
    with plans() as found:
        queries.drift_page("ticket_due_later", team, total=60, page=2, per_page=25)
    [plan] = found
    assert f"SEARCH drift_flags USING INDEX {INDEX} (kind=?)" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
