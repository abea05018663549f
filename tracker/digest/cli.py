"""`flask digest`: print each manager's weekly digest, or email it with --send (for cron).

Register with `app.cli.add_command(digest_command)`.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.accounts import services as accounts
from tracker.digest import content, mail, render
from tracker.domain.words import plural
from tracker.validation import ValidationError

SEPARATOR = "=" * 72


def _messages(digests: list[content.Digest], sender: str):
    for digest in digests:
        user = digest.recipient
        yield mail.message(
            sender,
            user.display_name,
            user.email,
            render.subject(digest),
            render.text(digest),
            render.html(digest),
        )


def _print(digests: list[content.Digest]) -> None:
    for number, digest in enumerate(digests, start=1):
        user = digest.recipient
        click.echo(f"{SEPARATOR}\nDigest {number} of {len(digests)}")
        click.echo(f"To: {user.display_name} <{user.email}>")
        click.echo(f"Subject: {render.subject(digest)}\n")
        click.echo(render.text(digest))
    click.echo(SEPARATOR)


@click.command("digest")
@click.option("--team", "team_slug", metavar="SLUG", help="Only this team, and only its managers.")
@click.option(
    "--send", is_flag=True, help="Email each digest (MAIL_* settings) instead of printing."
)
@with_appcontext
def digest_command(team_slug: str | None, send: bool) -> None:
    """Per manager: their teams' overdue and due-soon mitigations and top risks.

    Prints every digest; with --send, emails one to each manager (active managers, and admins,
    who are members of a team).
    """
    team = None
    if team_slug is not None:
        try:
            team = accounts.require_team(team_slug)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        settings = mail.MailSettings.from_config(current_app.config) if send else None
    except mail.MailError as exc:
        raise click.ClickException(str(exc)) from None
    digests = content.build(team)
    if not digests:
        where = f" in {team.name}" if team else ""
        click.echo(f"No manager{where} to send a digest to.")
        return
    if settings is None:
        _print(digests)
        return
    try:
        refused = mail.send(settings, _messages(digests, settings.sender))
    except mail.MailError as exc:
        raise click.ClickException(str(exc)) from None
    sent = len(digests) - len(refused)
    click.echo(f"Sent {plural(sent, 'digest')} from {settings.sender}.")
    if refused:
        problems = "; ".join(f"{to}: {problem}" for to, problem in refused)
        raise click.ClickException(f"{len(refused)} not sent: {problems}")
