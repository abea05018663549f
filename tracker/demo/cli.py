"""`flask demo`: fill an empty database with the demo availability program.

Register with `app.cli.add_command(demo_command)`.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.demo.build import build_demo
from tracker.demo.incidents import INCIDENTS
from tracker.demo.program import RISKS, TEAMS
from tracker.text_table import format_table


@click.command("demo")
@with_appcontext
def demo_command():
    """Fill an EMPTY database with a demo availability program: teams, managers, about 40
    risks with their mitigations, Jira links, a year of incidents with their follow-ups and two
    finished weekly reviews.

    Refuses (exit 1) a database that holds any user, team or risk.
    """
    try:
        accounts = build_demo()
    except RuntimeError as exc:
        raise click.ClickException(
            f"The database already has data ({exc}); the demo fills only an empty one "
            "(point DATABASE_URL at a new database)."
        ) from None
    click.echo(
        f"Built the demo program: {len(TEAMS)} teams, {len(RISKS)} risks with their "
        f"mitigations, {len(INCIDENTS)} incidents of the past year, two finished weekly reviews."
    )
    click.echo("Demo accounts (the passwords are shown only this once):")
    rows = [[a.email, a.password, a.role, ",".join(a.teams) or "-", a.name] for a in accounts]
    click.echo(format_table(rows, ["EMAIL", "PASSWORD", "ROLE", "TEAMS", "NAME"]))
