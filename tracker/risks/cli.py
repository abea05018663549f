"""`flask risks import` and `flask risks export`: the risk register as a spreadsheet (CSV).

An import with any problem prints every one of them on stderr, exits 1 and writes nothing.
Register with `app.cli.add_command(risks_cli)`.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.accounts import services as accounts
from tracker.models import User
from tracker.risks.csv_export import export_all
from tracker.risks.csv_import import ImportPlan, PlannedRow, apply_import, plan_import
from tracker.validation import PermissionDenied, ValidationError


@click.group("risks")
def risks_cli():
    """Import and export the risk register as CSV."""


def _acting_user(email: str | None) -> User | None:
    if email is None:
        return None
    try:
        return accounts.require_user(email)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None


def _decoded(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{name} is not UTF-8 text; save it as CSV UTF-8.") from None


def _row_line(row: PlannedRow) -> str:
    changed = f" ({', '.join(name for name, _, _ in row.changes)})" if row.changes else ""
    return f"line {row.line:<5} {row.action:<9} {row.key:<11} {row.title}{changed}"


def _report_errors(plan: ImportPlan) -> None:
    for error in plan.errors:
        where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
        click.echo(f"{where}: {error.message}", err=True)
    click.echo(f"Nothing imported: {len(plan.errors)} problem(s) to fix.", err=True)


@risks_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--as",
    "actor_email",
    metavar="EMAIL",
    help="The user the history records for the changes (default: the tracker itself).",
)
@with_appcontext
def import_risks(file, dry_run, actor_email):
    """Import risks from FILE (CSV; '-' reads standard input): all rows or none."""
    text = _decoded(file.read(), getattr(file, "name", "The input"))
    actor = _acting_user(actor_email)
    try:
        plan = plan_import(text, actor)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    if not plan.valid:
        _report_errors(plan)
        raise click.exceptions.Exit(1)
    for row in plan.rows:
        click.echo(_row_line(row))
    counts = plan.counts
    if dry_run:
        click.echo(
            f"Dry run, nothing written: would create {counts.create}, "
            f"update {counts.update}; {counts.unchanged} unchanged."
        )
        return
    try:
        result = apply_import(plan, actor)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {result.created}, updated {result.updated}; {result.unchanged} unchanged.")


@risks_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_risks(file):
    """Write every risk not archived to FILE as CSV ('-' for standard output).

    A file gets a UTF-8 byte-order mark, which Excel needs to read the text as UTF-8.
    """
    out = io.StringIO()
    written = export_all(out)
    if file == "-":
        click.echo(out.getvalue(), nl=False)
        return
    Path(file).write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    click.echo(f"Exported {written} risk(s) to {file}.")
