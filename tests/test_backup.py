"""`flask backup` / `flask restore` (SQLite's online backup API) and the pg_dump / pg_restore
round trip the README gives for PostgreSQL: a populated database comes back table by table."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_config
from tests.helpers import new_mitigation
from tracker import create_app
from tracker.api import tokens
from tracker.extensions import db
from tracker.jira import links
from tracker.risks import services

SQLITE_ONLY = "the backup command is SQLite's; PostgreSQL uses pg_dump (tested below)"


@pytest.fixture
def populated(factory, admin, manager, payments, clock):
    """A register with a bit of everything: users and teams, risks with tags and history,
    mitigations, Jira links, an API token, an archived risk."""
    for n in range(5):
        risk = factory.risk(team=payments, title=f"Risk {n}", tags="db, az", owner=manager)
        new_mitigation(risk, clock, team="payments")
        links.add_link(risk, f"OPS-{n + 1}", None)
    services.archive(risk, admin, "Gone")
    tokens.create_token(manager, "ci")


def all_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in metadata.sorted_tables
        }


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip(SQLITE_ONLY)


@pytest.fixture
def empty_app(tmp_path, clock):
    """A second app on a database file that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'restored.db'}"
    app = create_app(make_test_config(url, CLOCK=clock))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_backup_and_restore_into_an_empty_database_round_trip_every_table(
    sqlite_only, app, populated, runner, empty_app, tmp_path
):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    expected = all_rows(db.engine)

    with empty_app.app_context():
        restored = empty_app.test_cli_runner().invoke(args=["restore", str(target)])
        assert restored.exit_code == 0, restored.output
        assert all_rows(db.engine) == expected
    assert len(expected["risks"]) == 5 and len(expected["jira_links"]) == 5


def test_restore_refuses_a_database_with_data_unless_forced(
    sqlite_only, app, populated, runner, tmp_path
):
    target = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    before = all_rows(db.engine)

    refused = runner.invoke(args=["restore", str(target)])

    assert refused.exit_code == 1
    assert "holds data" in refused.output and "--force" in refused.output
    forced = runner.invoke(args=["restore", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    assert all_rows(db.engine) == before


def test_restore_refuses_a_file_that_is_not_a_backup(sqlite_only, app, runner, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database")

    result = runner.invoke(args=["restore", str(text)])

    assert result.exit_code == 1
    assert "is not a backup of this tracker" in result.output


def test_backup_refuses_to_overwrite_a_file(sqlite_only, app, runner, tmp_path):
    existing = tmp_path / "backup.db"
    existing.write_text("keep me")

    result = runner.invoke(args=["backup", str(existing)])

    assert result.exit_code == 1 and "exists" in result.output
    assert existing.read_text() == "keep me"


# PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump and pg_restore are for PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore not installed (apt-get install postgresql-client)")


def libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def scratch_database(database_url):
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    url = sa.make_url(database_url)
    scratch = url.set(database=f"{url.database}_restore")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    admin.dispose()


def test_backup_on_postgresql_says_to_use_pg_dump(postgres_only, app, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "backup.db")])

    assert result.exit_code == 1 and "pg_dump --format=custom" in result.output
    assert not (tmp_path / "backup.db").exists()


def test_pg_dump_and_pg_restore_as_the_readme_says_round_trip_every_table(
    postgres_only, app, populated, scratch_database, tmp_path
):
    source = libpq_url(db.engine.url)
    dump = tmp_path / "tracker.dump"
    db.session.remove()
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={libpq_url(scratch_database)}", str(dump)],
        check=True,
    )

    restored = sa.create_engine(scratch_database)
    try:
        assert all_rows(restored) == all_rows(db.engine)
    finally:
        restored.dispose()
