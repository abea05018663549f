"""`flask mitigations overdue`: the open mitigations past their due date, for scripts and bots;
`flask mitigations import` and `export`: every mitigation as a spreadsheet (CSV).

Register with `app.cli.add_command(mitigations_cli)`.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.accounts import services as accounts
from tracker.import_cli import add_export_command, add_import_command
from tracker.mitigations import csv_import, queries
from tracker.mitigations.csv_format import export_all
from tracker.models import Mitigation
from tracker.spreadsheets import protect
from tracker.text_table import format_table
from tracker.validation import ValidationError

CSV_COLUMNS = (
    "due_date",
    "days_overdue",
    "risk",
    "risk_title",
    "mitigation_id",
    "mitigation",
    "team",
    "owner",
    "status",
)
TEXT_HEADER = ["DUE", "DAYS", "RISK", "RISK TITLE", "MITIGATION", "TEAM", "OWNER", "STATUS"]
# Keeps a row on one line of a terminal or chat message; the CSV has the titles in full.
RISK_TITLE_WIDTH = 40
MITIGATION_TITLE_WIDTH = 50


@click.group("mitigations")
def mitigations_cli():
    """Report on mitigations; import and export them as CSV."""


def _shortened(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _text_row(mitigation: Mitigation, today: date) -> list[str]:
    return [
        mitigation.due_date.isoformat(),
        str((today - mitigation.due_date).days),
        mitigation.risk.key,
        _shortened(mitigation.risk.title, RISK_TITLE_WIDTH),
        _shortened(mitigation.title, MITIGATION_TITLE_WIDTH),
        mitigation.team.slug,
        mitigation.owner.email if mitigation.owner else "-",
        mitigation.status,
    ]


def _echo_text(mitigations: list[Mitigation], today: date) -> None:
    if not mitigations:
        click.echo("No overdue mitigations.")
        return
    click.echo(format_table([_text_row(m, today) for m in mitigations], TEXT_HEADER))
    noun = "mitigation" if len(mitigations) == 1 else "mitigations"
    click.echo(f"{len(mitigations)} overdue {noun}")


def _echo_csv(mitigations: list[Mitigation], today: date) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in mitigations:
        writer.writerow(
            [
                m.due_date.isoformat(),
                (today - m.due_date).days,
                m.risk.key,
                protect(m.risk.title),
                m.id,
                protect(m.title),
                m.team.slug,
                protect(m.owner.email) if m.owner else "",
                m.status,
            ]
        )
    click.echo(out.getvalue(), nl=False)


@mitigations_cli.command("overdue")
@click.option("--team", "team_slug", metavar="SLUG", help="Only this team's mitigations.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="An aligned table, or CSV for scripts.",
)
@with_appcontext
def overdue(team_slug, output_format):
    """List open mitigations due before today (in the TIMEZONE setting), oldest due first."""
    if team_slug is not None:
        try:
            team_slug = accounts.require_team(team_slug).slug
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from None
    today = clock.today()
    mitigations = queries.overdue(today, team_slug)
    if output_format == "csv":
        _echo_csv(mitigations, today)
    else:
        _echo_text(mitigations, today)


import_mitigations = add_import_command(
    mitigations_cli, csv_import.plan_import, csv_import.apply_import, "mitigations"
)

export_mitigations = add_export_command(mitigations_cli, export_all, "mitigations")
