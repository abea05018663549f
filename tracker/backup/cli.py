"""`flask backup FILE` and `flask restore FILE [--force]`.

Register with `app.cli.add_command(backup_command)` and `app.cli.add_command(restore_command)`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.backup import services
from tracker.validation import ValidationError


def _summary(counts: dict[str, int]) -> str:
    return f"{len(counts)} tables, {sum(counts.values())} rows"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path):
    """Copy the SQLite database to FILE, consistently, while the app keeps serving."""
    try:
        counts = services.backup(file)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {_summary(counts)} to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def restore_command(file: Path, force: bool):
    """Replace the SQLite database with the backup in FILE (stop the app first)."""
    try:
        counts = services.restore(file, force=force)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {_summary(counts)} from {file}. "
        "Run `flask --app app db upgrade` if the backup is from an older version."
    )
