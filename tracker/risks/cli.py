"""`flask risks import` and `flask risks export`: the risk register as a spreadsheet (CSV).

An import with any problem prints every one of them on stderr, exits 1 and writes nothing.
Register with `app.cli.add_command(risks_cli)`.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.import_cli import acting_user, decoded, print_and_apply, write_export
from tracker.risks.csv_export import export_all
from tracker.risks.csv_import import apply_import, plan_import
from tracker.validation import PermissionDenied


@click.group("risks")
def risks_cli():
    """Import and export the risk register as CSV."""


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
    text = decoded(file)
    actor = acting_user(actor_email)
    try:
        plan = plan_import(text, actor)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    print_and_apply(plan, dry_run, lambda valid: apply_import(valid, actor))


@risks_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_risks(file):
    """Write every risk not archived to FILE as CSV ('-' for standard output).

    A file gets a UTF-8 byte-order mark, which Excel needs to read the text as UTF-8.
    """
    write_export(file, export_all, "risk(s)")
