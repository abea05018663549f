"""Linking Jira tickets to risks and mitigations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from tracker import clock
from tracker.extensions import db
from tracker.jira import drift
from tracker.jira.jql import ISSUE_KEY
from tracker.mitigations import permissions as mitigation_permissions
from tracker.models import DriftFlag, JiraLink, JiraTicket, Mitigation, Risk, User
from tracker.risks import history
from tracker.risks import permissions as risk_permissions
from tracker.validation import PermissionDenied, ValidationError


def normalise_key(text: str) -> str:
    """An issue key, trimmed and upper-cased; ValidationError unless it looks like ABC-123."""
    key = (text or "").strip().upper()
    if not ISSUE_KEY.match(key):
        raise ValidationError.single(
            "key", f"A Jira key looks like ABC-123: project key, a hyphen, a number (got {text!r})."
        )
    return key


def _item_filter(item: Risk | Mitigation):
    if isinstance(item, Risk):
        return JiraLink.risk_id == item.id
    return JiraLink.mitigation_id == item.id


def check_permission(item: Risk | Mitigation, actor: User | None) -> None:
    """Raise PermissionDenied, saying who can, unless `actor` may change the item's links."""
    if actor is None:
        return
    allowed = (
        risk_permissions.can_edit(actor, item)
        if isinstance(item, Risk)
        else mitigation_permissions.can_edit(actor, item)
    )
    if not allowed:
        label = item.key if isinstance(item, Risk) else item.label
        raise PermissionDenied(risk_permissions.refusal(actor, item.team, label))


def _ticket(key: str) -> JiraTicket:
    ticket = db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == key))
    if ticket is None:
        ticket = JiraTicket(key=key)
        db.session.add(ticket)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:  # another request added the same key just now
            ticket = db.session.scalar(sa.select(JiraTicket).where(JiraTicket.key == key))
    return ticket


def _risk_of(item: Risk | Mitigation) -> Risk:
    return item if isinstance(item, Risk) else item.risk


def add_link(item: Risk | Mitigation, key_text: str, actor: User | None) -> JiraLink:
    """Link the ticket `key_text` to a risk or mitigation; refuses duplicates."""
    check_permission(item, actor)
    if _risk_of(item).archived_at is not None:
        raise ValidationError.single("key", "The risk is archived; an admin restores it first.")
    key = normalise_key(key_text)
    already = db.session.scalar(
        sa.select(JiraLink.id).join(JiraTicket).where(_item_filter(item), JiraTicket.key == key)
    )
    if already:
        raise ValidationError.single("key", f"{key} is already linked here.")
    link = JiraLink(ticket=_ticket(key), created_by=actor, created_at=clock.now())
    if isinstance(item, Risk):
        link.risk = item
    else:
        link.mitigation = item
    db.session.add(link)
    history.record(
        _risk_of(item),
        actor,
        [("jira_link", None, key)],
        mitigation=item if isinstance(item, Mitigation) else None,
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError.single("key", f"{key} is already linked here.") from None
    return link


def remove_link(item: Risk | Mitigation, key_text: str, actor: User | None) -> None:
    """Unlink a ticket; its drift flags go with it."""
    check_permission(item, actor)
    key = (key_text or "").strip().upper()
    link = db.session.scalar(
        sa.select(JiraLink).join(JiraTicket).where(_item_filter(item), JiraTicket.key == key)
    )
    if link is None:
        raise ValidationError.single("key", f"{key} is not linked here.")
    flags = sa.delete(DriftFlag).where(DriftFlag.ticket_key == key)
    if isinstance(item, Risk):
        flags = flags.where(DriftFlag.risk_id == item.id, DriftFlag.mitigation_id.is_(None))
    else:
        flags = flags.where(DriftFlag.mitigation_id == item.id)
    db.session.execute(flags)
    db.session.delete(link)
    if isinstance(item, Mitigation):
        db.session.flush()
        drift.refresh_mitigation(item)
    history.record(
        _risk_of(item),
        actor,
        [("jira_link", key, None)],
        mitigation=item if isinstance(item, Mitigation) else None,
    )
    db.session.commit()


def links_of(item: Risk | Mitigation) -> list[JiraLink]:
    """The item's links with their cached tickets, by key (one query)."""
    return list(
        db.session.scalars(
            sa.select(JiraLink)
            .join(JiraTicket)
            .where(_item_filter(item))
            .options(contains_eager(JiraLink.ticket))
            .order_by(JiraTicket.key)
        )
    )


def set_follow_jira(mitigation: Mitigation, follow: bool, actor: User | None) -> None:
    """Let the mitigation take its status from its tickets, or only flag drift."""
    check_permission(mitigation, actor)
    if mitigation.follow_jira == follow:
        return
    old = mitigation.follow_jira
    mitigation.follow_jira = follow
    history.record(mitigation.risk, actor, [("follow_jira", old, follow)], mitigation=mitigation)
    drift.refresh_mitigation(mitigation)
    db.session.commit()
