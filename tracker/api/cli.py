"""`flask tokens …`: personal API tokens from the shell.

`tokens create` prints the token and nothing else on standard output, so scripts can capture
it; errors are one line on standard error with exit status 1.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.accounts import services as accounts
from tracker.api import tokens
from tracker.text_table import format_table
from tracker.validation import ValidationError


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@click.group("tokens")
def tokens_cli():
    """Create, list and revoke personal API tokens."""


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What uses the token.")
@with_appcontext
def create(email: str, name: str) -> None:
    """Create a token for the user with EMAIL and print it (shown only this once)."""
    try:
        _, plain = tokens.create_token(accounts.require_user(email), name)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(plain)


@tokens_cli.command("list")
@click.argument("email")
@with_appcontext
def list_tokens(email: str) -> None:
    """List the tokens of the user with EMAIL."""
    try:
        user = accounts.require_user(email)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    rows = [
        [
            str(token.id),
            token.name,
            token.prefix + "…",
            _when(token.created_at),
            _when(token.last_used_at),
            "active" if token.active else f"revoked {_when(token.revoked_at)}",
        ]
        for token in tokens.tokens_of(user)
    ]
    click.echo(format_table(rows, ["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "STATE"]))


@tokens_cli.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Revoke the token with this ID (see `tokens list`)."""
    token = tokens.find_token(token_id)
    if token is None:
        raise click.ClickException(f"No token has the id {token_id}.")
    if tokens.revoke_token(token):
        click.echo(f"Revoked token {token.id} ({token.name}) of {token.user.email}.")
    else:
        click.echo(f"Token {token.id} was already revoked.")
