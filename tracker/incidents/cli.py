"""`flask incidents import` and `flask incidents export`: the incidents as a spreadsheet (CSV).

An import with any problem prints every one of them on stderr, exits 1 and writes nothing.
Register with `app.cli.add_command(incidents_cli)`.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from tracker import clock
from tracker.extensions import db
from tracker.import_cli import acting_user, decoded, print_and_apply
from tracker.incidents import csv_import, queries
from tracker.incidents.csv_export import csv_lines
from tracker.models import Incident
from tracker.validation import PermissionDenied


@click.group("incidents")
def incidents_cli():
    """Import and export incidents as CSV."""


@incidents_cli.command("import")
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
def import_incidents(file, dry_run, strict, actor_email):
    """Import incidents from FILE (CSV; '-' reads standard input): all rows or none.

    Columns it does not know are listed once as a warning and ignored (--strict refuses them).
    """
    text = decoded(file)
    actor = acting_user(actor_email)
    try:
        plan = csv_import.plan_import(text, actor, strict=strict)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    print_and_apply(plan, dry_run, lambda valid: csv_import.apply_import(valid, actor))


@incidents_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_incidents(file):
    """Write every incident to FILE as CSV, latest start first ('-' for standard output).

    Rows are written as they are read, so a long history needs little memory. A file gets a
    UTF-8 byte-order mark, which Excel needs to read it as UTF-8.
    """
    query = queries.with_list_relations(sa.select(Incident)).order_by(
        Incident.started_at.desc(), Incident.number.desc()
    )
    incidents = db.session.scalars(query.execution_options(yield_per=500))
    lines = csv_lines(incidents, clock.now())
    if file == "-":
        for line in lines:
            click.echo(line, nl=False)
        return
    written = -1  # the header is no incident
    with open(file, "w", encoding="utf-8-sig", newline="") as out:
        for line in lines:
            out.write(line)
            written += 1
    click.echo(f"Exported {written} incident(s) to {file}.")
