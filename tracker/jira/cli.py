"""`flask jira …`: check the connection, run the sync (cron), link tickets."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from tracker.domain.jira_mapping import SYNC_STATUS_LABELS
from tracker.domain.words import plural
from tracker.extensions import db
from tracker.jira import links
from tracker.jira.client import JiraUnavailable, connect
from tracker.jira.settings import JiraNotConfigured, JiraSettings
from tracker.jira.sync import SyncBusy, run_sync
from tracker.models import Mitigation, SyncRun, Team
from tracker.risks.queries import risk_by_key
from tracker.validation import PermissionDenied, ValidationError


def _settings() -> JiraSettings:
    try:
        return JiraSettings.from_config(current_app.config)
    except JiraNotConfigured as exc:
        raise click.ClickException(str(exc)) from None


def _report(line: str) -> None:
    click.echo(line, err=True)


@click.group("jira")
def jira_cli():
    """Jira: check the connection, sync linked tickets, link tickets."""


@jira_cli.command("check")
@with_appcontext
def check():
    """Verify JIRA_URL and the credentials; print the server and the account."""
    settings = _settings()
    try:
        connection = connect(settings, _report)
        click.echo(f"Server:     {settings.url}")
        click.echo(f"Jira:       {connection.server_summary()}")
        click.echo(f"Account:    {connection.account()}")
        click.echo(f"Search API: {'enhanced (search/jql)' if connection.is_cloud else 'search'}")
        if pull := settings.incidents:
            known = db.session.scalar(sa.select(Team.id).where(Team.slug == pull.team))
            team = pull.team if known else f"{pull.team} (no such team: create it first)"
            click.echo(f"Incidents:  ({pull.jql}), owned by {team}")
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
        run = run_sync(settings, full=full, dry_run=dry_run, trigger="cli", report=_report)
    except SyncBusy as busy:
        raise click.ClickException(str(busy)) from None
    click.echo(summary(run))
    for problem in json.loads(run.problems or "[]"):
        click.echo(f"  batch not applied: {problem}", err=True)
    if run.status == "failed":
        raise click.ClickException(run.error or "The sync failed.")


def summary(run: SyncRun) -> str:
    """One line for a finished run; a dry run says what would change and move."""
    status = SYNC_STATUS_LABELS.get(run.status, run.status).lower()
    changed, moved = ("would change", "would move") if run.dry_run else ("changed", "moved")
    incidents = ""
    if run.incidents_read or run.incidents_changed:
        recorded = "would record or change" if run.dry_run else "recorded or changed"
        incidents = (
            f"{plural(run.incidents_read, 'incident')} read, {run.incidents_changed} {recorded}, "
        )
    return (
        f"Sync {status}: {run.tickets_read} of {plural(run.tickets_total, 'ticket')} read, "
        f"{run.tickets_changed} {changed}, {plural(run.mitigations_changed, 'mitigation')} "
        f"{moved}, {run.links_broken} broken, {incidents}{plural(run.requests, 'request')}, "
        f"{run.duration_seconds or 0:.1f} s ({run.deployment or 'Jira'})."
    )


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
