"""Creating a Jira ticket for a mitigation, at most once per click.

The form carries a one-time token. The first request to claim it creates the ticket, labelled
with the token; a second request with the same token (a double click, a browser retry) never
creates: it links the labelled ticket if Jira already has it, or reports that it is on its way.
"""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jira import jql, links
from tracker.jira.client import JiraConnection
from tracker.links import external_url
from tracker.mitigations import permissions
from tracker.models import JiraLink, Mitigation, User
from tracker.risks.permissions import refusal
from tracker.validation import PermissionDenied, ValidationError

# What new_token issues; nothing else may reach the label or the search built from it.
TOKEN = re.compile(r"^[0-9a-f]{16}$")


def new_token() -> str:
    return secrets.token_hex(8)


def token_label(token: str) -> str:
    return f"risktracker-{token}"


def _claim(mitigation: Mitigation, token: str) -> bool:
    # A plain UPDATE (no ORM version bump): claiming is not an edit of the mitigation.
    table = Mitigation.__table__
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == mitigation.id,
            sa.or_(table.c.jira_create_token.is_(None), table.c.jira_create_token != token),
        )
        .values(jira_create_token=token)
    )
    db.session.commit()
    return result.rowcount == 1


def ticket_description(mitigation: Mitigation) -> str:
    """The new ticket's description: the mitigation, its risk, and a link to the risk."""
    risk = mitigation.risk
    # The request's Host header is the client's to choose; only PUBLIC_URL says where the
    # tracker really is, and without it the ticket carries no link.
    link = external_url("risks.detail", key=risk.key)
    parts = [mitigation.description.strip(), f"Mitigates {risk.key}: {risk.title}", link]
    return "\n\n".join(part for part in parts if part)


def labelled(connection: JiraConnection, label: str) -> str | None:
    """The key of the ticket in the configured project that carries `label`, if any.

    Every hit is checked for the label itself: a search that Jira (or a proxy in front of it)
    answers loosely must not get another ticket linked to the mitigation.
    """
    query = f"project = {jql.quote(connection.settings.project)} AND labels = {jql.quote(label)}"
    for issue in connection.search(query + " ORDER BY key", ["labels"]):
        if label in ((issue.get("fields") or {}).get("labels") or []):
            return issue["key"]
    return None


def create_ticket(
    connection: JiraConnection, mitigation: Mitigation, actor: User, token: str
) -> tuple[JiraLink | None, str]:
    """Create (at most once per token) and link a ticket; returns the link (None when another
    request with this token is still creating it) and a message for the user."""
    if not permissions.can_edit(actor, mitigation):
        raise PermissionDenied(refusal(actor, mitigation.team, mitigation.label))
    if not connection.settings.project:
        raise ValidationError.single("jira", "Set JIRA_PROJECT to create tickets.")
    if not TOKEN.match(token or ""):
        raise ValidationError.single(
            "jira", "The form's one-time token is missing or not one this page issued; reload it."
        )
    label = token_label(token)
    claimed = _claim(mitigation, token)
    existing = labelled(connection, label)
    if existing:
        key = existing
    elif claimed:
        key = connection.create_issue(
            mitigation.title, ticket_description(mitigation), [mitigation.risk.key, label]
        )
    else:
        return None, "This ticket is already being created; reload the page in a moment."
    already = next((lk for lk in links.links_of(mitigation) if lk.ticket.key == key), None)
    if already:
        return already, f"{key} is linked."
    return links.add_link(mitigation, key, actor), f"Created {key} in Jira and linked it."
