"""`flask jira …`: check the connection, run the sync (cron), link tickets."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.jira import links
from tracker.jira.client import JiraUnavailable, connect
from tracker.jira.settings import JiraNotConfigured, JiraSettings
from tracker.jira.sync import SyncBusy, run_sync
from tracker.models import Mitigation
from tracker.risks.queries import risk_by_key
from tracker.validation import PermissionDenied, ValidationError


def _settings() -> JiraSettings:
    try:
        return JiraSettings.from_config(current_app.config)
    except JiraNotConfigured as exc:
        raise click.ClickException(str(exc)) from None


@click.group("jira")
def jira_cli():
    """Jira: check the connection, sync linked tickets, link tickets."""


@jira_cli.command("check")
@with_appcontext
def check():
    """Verify JIRA_URL and the credentials; print the server and the account."""
    settings = _settings()
    try:
        connection = connect(settings)
        click.echo(f"Server:     {settings.url}")
        click.echo(f"Jira:       {connection.server_summary()}")
        click.echo(f"Account:    {connection.account()}")
        click.echo(f"Search API: {'enhanced (search/jql)' if connection.is_cloud else 'search'}")
    except JiraUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@jira_cli.command("sync")
@click.option("--full", is_flag=True, help="Re-read every linked ticket, not only recent changes.")
@click.option("--dry-run", is_flag=True, help="Read from Jira and report; write nothing.")
@with_appcontext
def sync(full, dry_run):
    """Pull the state of every linked ticket (the job cron runs).

    Exits 0 when the run completed (broken links are a result), 1 with the reason when it
    could not run.
    """
    settings = _settings()
    try:
        run = run_sync(settings, full=full, dry_run=dry_run, trigger="cli")
    except SyncBusy as busy:
        raise click.ClickException(str(busy)) from None
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"Sync {run.status}: {run.tickets_read} of {run.tickets_total} tickets read, "
        f"{run.tickets_changed} {verb}, {run.mitigations_changed} mitigation(s) moved, "
        f"{run.links_broken} broken, {run.requests} requests, "
        f"{run.duration_seconds or 0:.1f} s ({run.deployment or 'Jira'})."
    )
    for problem in json.loads(run.problems or "[]"):
        click.echo(f"  batch not applied: {problem}", err=True)
    if run.status == "failed":
        raise click.ClickException(run.error or "The sync failed.")


def _item(risk_key: str | None, mitigation_id: int | None):
    if bool(risk_key) == bool(mitigation_id):
        raise click.UsageError("Give exactly one of --risk RISK-n and --mitigation ID.")
    item = risk_by_key(risk_key) if risk_key else db.session.get(Mitigation, mitigation_id)
    if item is None:
        raise click.ClickException(f"No {'risk ' + risk_key if risk_key else 'mitigation'} found.")
    return item


def _link_command(name: str, change, done: str):
    """`flask jira link|unlink KEY --risk RISK-n | --mitigation ID`: the same arguments and
    errors, a different change."""

    @jira_cli.command(name)
    @click.argument("key")
    @click.option("--risk", "risk_key", metavar="RISK-n")
    @click.option("--mitigation", "mitigation_id", type=int, metavar="ID")
    @with_appcontext
    def command(key, risk_key, mitigation_id):
        item = _item(risk_key, mitigation_id)
        try:
            change(item, key, None)
        except (ValidationError, PermissionDenied) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(done.format(key=key.strip().upper()))

    return command


link = _link_command("link", links.add_link, "Linked {key}; the next sync reads its state.")
link.help = "Link the Jira ticket KEY to a risk or a mitigation."
unlink = _link_command("unlink", links.remove_link, "Unlinked {key}.")
unlink.help = "Remove the link to KEY from a risk or a mitigation."
