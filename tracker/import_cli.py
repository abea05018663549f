"""What the `… import` and `… export` commands of each record type share: reading the file,
printing a plan or its problems, applying it, and writing an export to a file or stdout."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext

from tracker.accounts import services as accounts
from tracker.imports import ImportPlan, ImportResult
from tracker.models import User
from tracker.validation import PermissionDenied, ValidationError


def acting_user(email: str | None) -> User | None:
    """The user an --as EMAIL option names (None: the tracker itself); a clear error for an
    unknown one."""
    if email is None:
        return None
    try:
        return accounts.require_user(email)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None


def decoded(file) -> str:
    """The text of an opened binary FILE argument; a clear error when it is not UTF-8."""
    try:
        return file.read().decode("utf-8")
    except UnicodeDecodeError:
        name = getattr(file, "name", "The input")
        raise click.ClickException(f"{name} is not UTF-8 text; save it as CSV UTF-8.") from None


def _row_line(row) -> str:
    # An update names the fields it changes; a created record holds them all.
    changes = row.changes if row.action == "update" else []
    changed = f" ({', '.join(name for name, _, _ in changes)})" if changes else ""
    return f"line {row.line:<5} {row.action:<9} {row.key:<11} {row.title}{changed}"


def _report_errors(plan: ImportPlan) -> None:
    for error in plan.errors:
        where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
        click.echo(f"{where}: {error.message}", err=True)
    click.echo(f"Nothing imported: {len(plan.errors)} problem(s) to fix.", err=True)


def print_and_apply(
    plan: ImportPlan, dry_run: bool, apply: Callable[[ImportPlan], ImportResult]
) -> None:
    """Print the plan row by row and apply it (unless `dry_run`); a plan with problems prints
    every one on stderr and exits 1 having written nothing. Warnings go to stderr."""
    for warning in plan.warnings:
        click.echo(f"Warning: {warning}", err=True)
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
        result = apply(plan)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {result.created}, updated {result.updated}; {result.unchanged} unchanged.")


def add_import_command(
    group: click.Group,
    plan_import: Callable[..., ImportPlan],
    apply_import: Callable[[ImportPlan, User | None], ImportResult],
    records: str,
):
    """Give `group` an `import FILE [--dry-run] [--strict] [--as EMAIL]` command that plans
    with `plan_import(text, actor, strict=…)` and applies with `apply_import(plan, actor)`."""

    @group.command(
        "import",
        help=f"Import {records} from FILE (CSV; '-' reads standard input): all rows or none.\n\n"
        "Columns it does not know are listed once as a warning and ignored (--strict refuses "
        "them).",
    )
    @click.argument("file", type=click.File("rb"))
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
    @click.option("--strict", is_flag=True, help="Refuse columns the import does not know.")
    @click.option(
        "--as",
        "actor_email",
        metavar="EMAIL",
        help="The user the history records for the changes (default: the tracker itself).",
    )
    @with_appcontext
    def import_command(file, dry_run, strict, actor_email):
        text = decoded(file)
        actor = acting_user(actor_email)
        try:
            plan = plan_import(text, actor, strict=strict)
        except PermissionDenied as exc:
            raise click.ClickException(str(exc)) from None
        print_and_apply(plan, dry_run, lambda valid: apply_import(valid, actor))

    return import_command


def add_export_command(group: click.Group, export: Callable[[TextIO], int], records: str):
    """Give `group` an `export FILE` command that writes what `export` writes."""

    @group.command(
        "export",
        help=f"Write the {records} to FILE as CSV, archived risks left out ('-' for standard "
        "output). A file gets a UTF-8 byte-order mark, which Excel needs to read it as UTF-8.",
    )
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @with_appcontext
    def export_command(file):
        write_export(file, export, f"{records.removesuffix('s')}(s)")

    return export_command


def write_export(file: str, export: Callable[[TextIO], int], records: str) -> None:
    """Write what `export` produces to FILE, or to standard output for '-'.

    A file gets a UTF-8 byte-order mark, which Excel needs to read the text as UTF-8.
    """
    out = io.StringIO()
    written = export(out)
    if file == "-":
        click.echo(out.getvalue(), nl=False)
        return
    Path(file).write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    click.echo(f"Exported {written} {records} to {file}.")
