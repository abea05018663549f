"""`flask delivery report`: a quarter's delivery figures per team, for scripts and documents.

Register with `app.cli.add_command(delivery_cli)`.
"""

from __future__ import annotations

import csv
import io

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.accounts import services as accounts
from tracker.domain.delivery import Figures, Quarter, recent_quarters
from tracker.roadmap import delivery
from tracker.text_table import format_table
from tracker.validation import ValidationError

TEXT_HEADER = [
    "TEAM",
    "DUE",
    "DONE",
    "ON TIME",
    "LATE",
    "ON-TIME RATE",
    "MEDIAN DAYS LATE",
    "SLIPS/MITIGATION",
    "OPEN PAST DUE",
    "BLOCKED",
]
OVERALL = "all teams"
FOLLOW_UPS = "incident follow-ups"


@click.group("delivery")
def delivery_cli():
    """Report how reliably mitigations land by their dates."""


def format_figures(figures: Figures) -> list[str]:
    """The figures as text cells, in TEXT_HEADER's order after the team ("—" for none)."""
    rate = "—" if figures.on_time_rate is None else f"{figures.on_time_rate:.0%}"
    late = "—" if figures.median_days_late is None else f"{figures.median_days_late:g}"
    slips = "—" if figures.slips_per_mitigation is None else f"{figures.slips_per_mitigation:.2f}"
    return [
        str(figures.due),
        str(figures.completed),
        str(figures.on_time),
        str(figures.late),
        rate,
        late,
        slips,
        str(figures.overdue),
        str(figures.blocked),
    ]


def _rows(report: delivery.DeliveryReport) -> list[list[str]]:
    rows = [[row.team.slug, *format_figures(row.latest)] for row in report.teams]
    if len(report.teams) > 1:
        rows.append([OVERALL, *format_figures(report.overall[-1])])
    if report.follow_ups[-1].due:
        rows.append([FOLLOW_UPS, *format_figures(report.follow_ups[-1])])
    return rows


def _csv(report: delivery.DeliveryReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["quarter", "team", *delivery.FIELDS])
    rows = [(row.team.slug, row.latest) for row in report.teams]
    if len(report.teams) > 1:
        rows.append((OVERALL, report.overall[-1]))
    if report.follow_ups[-1].due:
        rows.append((FOLLOW_UPS, report.follow_ups[-1]))
    for team, figures in rows:
        values = [getattr(figures, name) for name in delivery.FIELDS]
        writer.writerow([report.quarter, team, *("" if v is None else v for v in values)])
    return out.getvalue()


def _markdown(report: delivery.DeliveryReport) -> str:
    lines = [
        f"# Delivery, {report.quarter}",
        "",
        "On time = completed by the original due date.",
        "",
        "| " + " | ".join(title.capitalize() for title in TEXT_HEADER) + " |",
        "| --- |" + " ---: |" * (len(TEXT_HEADER) - 1),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(report)]
    return "\n".join(lines) + "\n"


@delivery_cli.command("report")
@click.option("--team", "team_slug", metavar="SLUG", help="Only this team.")
@click.option("--quarter", metavar="YEARQn", help="The quarter, e.g. 2026Q4 (default: current).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "csv", "markdown"]),
    default="text",
    show_default=True,
    help="An aligned table, CSV for scripts, or a Markdown table for documents.",
)
@with_appcontext
def report_command(team_slug, quarter, output_format):
    """Print the quarter's delivery figures per team: due, completed, on time by the original
    due date, late, median days late, slips per mitigation, open past due, blocked."""
    try:
        team = accounts.require_team(team_slug) if team_slug is not None else None
        chosen = Quarter.parse(quarter) if quarter else Quarter.of(clock.today())
    except (ValidationError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    report = delivery.report(recent_quarters(chosen.last_day, 1), clock.today(), team)
    if output_format == "csv":
        click.echo(_csv(report), nl=False)
    elif output_format == "markdown":
        click.echo(_markdown(report), nl=False)
    else:
        click.echo(f"Delivery, {report.quarter} (on time = by the original due date)")
        click.echo(format_table(_rows(report), TEXT_HEADER))
