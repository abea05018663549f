"""`flask users …` and `flask teams …`: account administration from the shell.

Errors exit non-zero with one line on stderr and change nothing (the services validate before
they write).
"""

from __future__ import annotations

import secrets
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.accounts import services
from tracker.text_table import format_table
from tracker.validation import ValidationError


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail_on(error: ValidationError) -> None:
    raise click.ClickException(str(error))


@click.group("users")
def users_cli():
    """Create and manage user accounts."""


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", required=True, help="admin, manager or viewer.")
@click.option("--team", "teams", multiple=True, metavar="SLUG", help="A team to join (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email, name, role, teams, password_stdin):
    """Create a user."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(email, name, role, password, teams)
    except ValidationError as exc:
        _fail_on(exc)
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def set_password(email, password_stdin):
    """Set a user's password (signs them out everywhere)."""
    try:
        user = services.require_user(email)
        services.set_password(user, _read_password(password_stdin))
    except ValidationError as exc:
        _fail_on(exc)
    click.echo(f"Set a new password for {user.email}.")


@users_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email):
    """Stop a user signing in; their records stay."""
    try:
        user = services.require_user(email)
        services.deactivate_user(user)
    except ValidationError as exc:
        _fail_on(exc)
    click.echo(f"Deactivated {user.email}.")


@users_cli.command("list")
@with_appcontext
def list_users():
    """List every user with role, state and teams."""
    rows = [
        [
            user.email,
            user.display_name,
            user.role,
            "active" if user.active else "inactive",
            ",".join(team.slug for team in user.teams) or "-",
        ]
        for user in services.list_users()
    ]
    click.echo(format_table(rows, ["EMAIL", "NAME", "ROLE", "STATE", "TEAMS"]))


@users_cli.command("ensure-admin")
@with_appcontext
def ensure_admin():
    """Create a first admin with a generated password, only if there are no users yet."""
    if services.has_users():
        return
    email = current_app.config["ADMIN_EMAIL"]
    password = secrets.token_urlsafe(15)
    try:
        services.create_user(email, "Administrator", "admin", password)
    except ValidationError as exc:
        _fail_on(exc)
    click.echo("Created the first admin account (shown only this once):")
    click.echo(f"  email:    {email}")
    click.echo(f"  password: {password}")
    click.echo("Change it after signing in: click your name in the top bar.")
    click.echo(
        "This admin belongs to no team yet, so it has no My teams page and gets no digest.\n"
        "Create your team and join it on the dashboard after signing in, or here:\n"
        '  flask --app app teams create sre --name "Site Reliability"\n'
        f"  flask --app app teams add-member sre {email}"
    )


@click.group("teams")
def teams_cli():
    """Create teams and manage their members."""


@teams_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name.")
@with_appcontext
def create_team(slug, name):
    """Create a team."""
    try:
        team = services.create_team(slug, name)
    except ValidationError as exc:
        _fail_on(exc)
    click.echo(f"Created team {team.slug}.")


@teams_cli.command("add-member")
@click.argument("slug")
@click.argument("email")
@with_appcontext
def add_member(slug, email):
    """Add a user to a team."""
    try:
        team = services.require_team(slug)
        user = services.require_user(email)
    except ValidationError as exc:
        _fail_on(exc)
    if services.add_member(team, user):
        click.echo(f"Added {user.email} to {team.slug}.")
    else:
        click.echo(f"{user.email} is already in {team.slug}.")


@teams_cli.command("list")
@with_appcontext
def list_teams():
    """List every team with its members."""
    rows = [
        [team.slug, team.name, ",".join(member.email for member in team.members) or "-"]
        for team in services.list_teams()
    ]
    click.echo(format_table(rows, ["SLUG", "NAME", "MEMBERS"]))
