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
from tracker.import_cli import add_import_command
from tracker.incidents import csv_import, queries
from tracker.incidents.csv_export import csv_lines
from tracker.models import Incident


@click.group("incidents")
def incidents_cli():
    """Import and export incidents as CSV."""


import_incidents = add_import_command(
    incidents_cli, csv_import.plan_import, csv_import.apply_import, "incidents"
)


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
