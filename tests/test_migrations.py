"""The migrations build exactly the schema the models describe, from an empty database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import cli as migrate_cli
from flask_migrate import downgrade, upgrade

from tracker.database import schema_object_filter
from tracker.extensions import db


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_from_empty_builds_the_models_schema(app):
    db.session.remove()
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}, "downgrade to base leaves no tables"
    upgrade()
    assert {"users", "teams", "team_members", "login_failures"} <= table_names()
    with db.engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": schema_object_filter(conn.dialect.name),
                },
            ),
            db.metadata,
        )
    assert differences == [], "models and migrations disagree; run flask db migrate"


def test_residual_migration_keeps_existing_residuals_and_allows_not_assessed(app, factory):
    factory.risk(likelihood=4, impact=4, residual_likelihood=2, residual_impact=3)
    db.session.remove()
    downgrade(revision="0012")
    with db.engine.connect() as conn:
        before = conn.execute(
            sa.text("SELECT residual_likelihood, residual_impact, residual_score FROM risks")
        ).all()
    upgrade()
    with db.engine.begin() as conn:
        after = conn.execute(
            sa.text("SELECT residual_likelihood, residual_impact, residual_score FROM risks")
        ).all()
        conn.execute(
            sa.text(
                "UPDATE risks SET residual_likelihood = NULL, residual_impact = NULL,"
                " residual_score = NULL"
            )
        )
    assert before == after == [(2, 3, 6)]


def current_revision() -> str:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_a_downgrade_that_drops_data_warns_and_stops_unless_confirmed(app):
    head = current_revision()
    runner = app.test_cli_runner()

    result = runner.invoke(migrate_cli.db, ["downgrade", "base"], input="n\n")

    assert result.exit_code == 1
    assert "This downgrade drops tables or columns" in result.output
    assert "0002: " in result.output and "Downgrade anyway?" in result.output
    assert current_revision() == head, "nothing was undone"


def test_a_confirmed_downgrade_runs(app):
    head = current_revision()
    db.session.remove()
    # Back past 0017, whose downgrade drops the incidents tables.
    result = app.test_cli_runner().invoke(migrate_cli.db, ["downgrade", "--yes", "--", "0016"])
    try:
        assert result.exit_code == 0, result.output
        assert "This downgrade drops" in result.output
        assert current_revision() != head
    finally:
        upgrade()
    assert current_revision() == head
