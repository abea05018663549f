"""The dashboard's counts read indexes that hold every column they need, so computing it does
not visit every risk's and every mitigation's row: the migrations build those indexes on both
databases, and on SQLite (whose plans do not depend on statistics) the counting queries the
dashboard runs read them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries, forget_planner_statistics, load_planner_statistics
from tracker.dashboard import services as dashboard
from tracker.extensions import db
from tracker.mitigations.services import add_mitigation
from tracker.models.risks import DASHBOARD_COLUMNS

INDEXES = {
    ("risks", "ix_risks_dashboard"): list(DASHBOARD_COLUMNS),
    ("mitigations", "ix_mitigations_status_due"): ["status", "due_date", "team_id", "risk_id"],
    ("risk_events", "ix_risk_events_field_at"): ["field", "at"],
}


@pytest.mark.parametrize(("table", "name"), list(INDEXES))
def test_the_migrations_build_the_dashboard_index(app, table, name):
    indexes = {
        index["name"]: index["column_names"] for index in sa.inspect(db.engine).get_indexes(table)
    }
    assert indexes.get(name) == INDEXES[table, name]


@pytest.fixture
def sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL chooses its plans from statistics a test table does not have")


def plans_of_dashboard_queries(app, factory, clock) -> dict[str, str]:
    """Each SELECT the dashboard runs, with SQLite's plan for it."""
    risk = factory.risk(title="Primary database in one zone")
    add_mitigation(
        risk,
        {"title": "Replica", "team": risk.team.slug, "due_date": clock().date() - timedelta(1)},
        None,
    )
    with counting_queries() as statements:
        dashboard.build()
    plans = {}
    with db.engine.connect() as conn:
        for statement in statements:
            if not statement.lstrip().startswith("SELECT"):
                continue
            # Every parameter as NULL: the plan depends on the query's shape, not its values.
            nulls = [None] * statement.count("?")
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", tuple(nulls))
            plans[statement] = "\n".join(row[-1] for row in rows)
    return plans


def plan_of(plans: dict[str, str], *fragments: str) -> str:
    matches = [plan for sql, plan in plans.items() if all(f in sql for f in fragments)]
    assert matches, f"no dashboard query has {fragments}"
    return matches[0]


def test_the_heat_maps_and_bands_read_only_the_risks_index(sqlite, app, factory, clock):
    plans = plans_of_dashboard_queries(app, factory, clock)
    for grouping in (
        "GROUP BY risks.likelihood",
        "GROUP BY risks.residual_likelihood",
        "GROUP BY risks.score + ?, risks.team_id",
    ):
        assert "COVERING INDEX ix_risks_dashboard" in plan_of(plans, grouping)


def test_overdue_work_per_team_reads_only_the_mitigations_index(sqlite, app, factory, clock):
    plans = plans_of_dashboard_queries(app, factory, clock)
    plan = plan_of(plans, "SELECT mitigations.team_id, count(*)", "mitigations.due_date BETWEEN")
    assert "COVERING INDEX ix_mitigations_status_due" in plan, plan


def test_recent_slips_read_a_range_of_one_fields_changes(sqlite, app, factory, clock):
    plans = plans_of_dashboard_queries(app, factory, clock)
    plan = plan_of(plans, "JOIN risk_events")
    assert "ix_risk_events_field_at" in plan, plan


# Statistics SQLite keeps after ANALYZE of the bench's 50,000-risk register: with them, and no
# care taken, its planner reads a GROUP BY team_id through the index on team_id alone.
BENCH_STATISTICS = [
    ("risks", "ix_risks_team_id", "50000 1250"),
    ("risks", "ix_risks_dashboard", "50000 10000 5000 131 14 9 9 4 3 2 2 1"),
    ("risks", "ix_risks_status", "50000 10000"),
    ("risks", "ix_risks_archived_at", "50000 25000"),
    ("risks", "ix_risks_score", "50000 3572"),
    ("risks", "ix_risks_register_by_score", "48566 3469 540 1"),
    ("risks", "ix_risks_mitigation_work", "50000 16667 3334 3334 1667 66 10 1"),
]


@pytest.fixture
def bench_statistics(sqlite, app):
    """The register's planner statistics as at 50,000 risks, for one test."""
    load_planner_statistics(BENCH_STATISTICS)
    yield
    forget_planner_statistics()


def test_with_a_large_registers_statistics_the_bands_still_read_the_covering_index(
    bench_statistics, app, factory, clock
):
    plans = plans_of_dashboard_queries(app, factory, clock)
    plan = plan_of(plans, "SELECT risks.team_id, risks.score + ?")
    assert "COVERING INDEX ix_risks_dashboard" in plan, plan
