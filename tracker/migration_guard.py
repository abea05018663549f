"""`flask db downgrade` warns before undoing a migration that drops data, and asks to go on.

A downgrade past a migration whose `downgrade()` drops a table or a column deletes what people
stored there; the command lists those migrations and asks for confirmation first (`--yes`
confirms in advance, for scripts). `--sql` only prints SQL, so it asks nothing.
"""

from __future__ import annotations

import inspect

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import cli as migrate_cli

from tracker.extensions import db

DROPPING_CALLS = ("drop_table(", "drop_column(")


def data_dropping_steps(target: str) -> list[str]:
    """ "<revision>: <what it did>" for each migration a downgrade to `target` would undo whose
    downgrade drops a table or a column, newest first."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    steps = script._downgrade_revs(target, current[0] if current else None)
    return [
        f"{step.revision.revision}: {step.revision.doc}"
        for step in steps
        if any(call in inspect.getsource(step.revision.module.downgrade) for call in DROPPING_CALLS)
    ]


def guard_downgrade() -> None:
    """Put the warning in front of Flask-Migrate's `db downgrade` (once per process)."""
    command = migrate_cli.downgrade
    if getattr(command, "guards_data", False):
        return
    original = command.callback
    command.params.append(
        click.Option(["--yes"], is_flag=True, help="Drop data without asking (for scripts).")
    )

    @with_appcontext
    def callback(yes: bool, **options):
        if not options["sql"]:
            _confirm(options["revision"], yes)
        return original(**options)

    command.callback = callback
    command.guards_data = True


def _confirm(target: str, yes: bool) -> None:
    dropping = data_dropping_steps(target)
    if not dropping:
        return
    click.echo("This downgrade drops tables or columns, and the data in them:", err=True)
    for step in dropping:
        click.echo(f"  {step}", err=True)
    click.echo("Back up first: flask --app app backup FILE, or pg_dump on PostgreSQL.", err=True)
    if not yes:
        click.confirm("Downgrade anyway?", abort=True, err=True)
