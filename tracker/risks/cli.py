"""`flask risks import` and `flask risks export`: the risk register as a spreadsheet (CSV).

An import with any problem prints every one of them on stderr, exits 1 and writes nothing.
Register with `app.cli.add_command(risks_cli)`.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.import_cli import acting_user, add_export_command, decoded, print_and_apply
from tracker.risks.csv_export import export_all
from tracker.risks.csv_import import apply_import, plan_import
from tracker.validation import PermissionDenied


@click.group("risks")
def risks_cli():
    """Import and export the risk register as CSV."""


@risks_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--strict", is_flag=True, help="Refuse columns the import does not know.")
@click.option(
    "--create-teams", is_flag=True, help="Create the teams the file names that do not exist."
)
@click.option(
    "--as",
    "actor_email",
    metavar="EMAIL",
    help="The user the history records for the changes (default: the tracker itself).",
)
@with_appcontext
def import_risks(file, dry_run, strict, create_teams, actor_email):
    """Import risks from FILE (CSV; '-' reads standard input): all rows or none.

    Columns it does not know are listed once as a warning and ignored (--strict refuses them).
    """
    text = decoded(file)
    actor = acting_user(actor_email)
    try:
        plan = plan_import(text, actor, strict=strict, create_teams=create_teams)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    print_and_apply(plan, dry_run, lambda valid: apply_import(valid, actor))


export_risks = add_export_command(risks_cli, export_all, "risks")
