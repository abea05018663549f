"""The acceptance-expiry check runs on every page load, so it must not read the accepted
risks: the migrations build an index on risks (status, acceptance_expires) on SQLite and
PostgreSQL, and SQLite's plan for the check is a range of it.

PostgreSQL chooses its plan from statistics a test's few rows cannot give (and an ANALYZE
would outlive them and change other tests' plans); at 10,000 risks its plan is the same
range: "Index Scan using ix_risks_status_acceptance_expires, Index Cond: status = 'accepted'
AND acceptance_expires IS NOT NULL AND acceptance_expires <= today".
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Risk

INDEX = "ix_risks_status_acceptance_expires"


def expiry_query_plan(today: date) -> str:
    query = sa.select(Risk.id).where(
        lifecycle.acceptance_expired_sql(Risk.status, Risk.acceptance_expires, today)
    )
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    rows = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))
    return "\n".join(row[-1] for row in rows)


def test_the_migrations_build_the_acceptance_expiry_index(app):
    indexes = {
        index["name"]: index["column_names"] for index in sa.inspect(db.engine).get_indexes("risks")
    }
    assert indexes.get(INDEX) == ["status", "acceptance_expires"]


def test_the_acceptance_expiry_check_reads_a_range_of_its_index(app, factory, clock):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's plan depends on statistics (see the module docstring)")
    today = clock().date()
    factory.risk(title="Primary database in one zone")
    plan = expiry_query_plan(today + timedelta(days=1))
    assert f"USING COVERING INDEX {INDEX} (status=? AND acceptance_expires" in plan, plan
