"""The migrations build exactly the schema the models describe, from an empty database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

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
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    assert differences == [], "models and migrations disagree; run flask db migrate"
