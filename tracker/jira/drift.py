"""Applying what Jira says to the tracker: follow-Jira statuses and drift flags."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain import jira_mapping, lifecycle
from tracker.extensions import db
from tracker.mitigations.status_moves import StatusMove, move_statuses
from tracker.models import DriftFlag, JiraLink, JiraTicket, Mitigation, Risk


def _views(tickets: list[JiraTicket]) -> list[jira_mapping.TicketView]:
    return [
        jira_mapping.TicketView(
            t.key,
            t.state,
            t.assignee,
            t.due_date,
            broken=t.broken,
            children_done=t.children_done,
            children_total=t.children_total,
        )
        for t in tickets
        if t.synced_at is not None or t.broken
    ]


def followed_move(mitigation: Mitigation, tickets: list[JiraTicket]) -> StatusMove | None:
    """The status a follow-Jira mitigation moves to, from its tickets; None to keep it.

    Never while a ticket is broken or not yet read: a sync error must not turn anything done.
    """
    if not mitigation.follow_jira or not tickets:
        return None
    if any(t.broken or t.synced_at is None or t.state is None for t in tickets):
        return None
    target = jira_mapping.followed_status(mitigation.status, [t.state for t in tickets])
    if target is None:
        return None
    keys = ", ".join(f"{t.key} {t.state.replace('_', ' ')}" for t in tickets)
    return StatusMove(mitigation, target, reason=f"Jira sync: {keys}.")


def refresh_flags(
    mitigation: Mitigation, tickets: list[JiraTicket], current: list[DriftFlag] | None = None
) -> None:
    """Make the mitigation's drift flags exactly the disagreements there are now, each with
    the values that disagree now (a flag keeps the day it was first seen)."""
    wanted = {
        (found.kind, found.ticket_key): found
        for found in jira_mapping.drift(
            mitigation.status, mitigation.due_date, mitigation.follow_jira, _views(tickets)
        )
    }
    flags = _flags_of(mitigation) if current is None else current
    existing = {(flag.kind, flag.ticket_key): flag for flag in flags}
    for key, flag in existing.items():
        if key not in wanted:
            db.session.delete(flag)
        elif flag.detail != wanted[key].detail:
            flag.detail = wanted[key].detail
    for key in wanted.keys() - existing.keys():
        db.session.add(
            DriftFlag(
                risk_id=mitigation.risk_id,
                mitigation=mitigation,
                kind=wanted[key].kind,
                ticket_key=wanted[key].ticket_key,
                detail=wanted[key].detail,
                first_seen=clock.now(),
            )
        )


def _flags_of(mitigation: Mitigation) -> list[DriftFlag]:
    return list(
        db.session.scalars(sa.select(DriftFlag).where(DriftFlag.mitigation_id == mitigation.id))
    )


def refresh_risk_link_flags(risk_links: Iterable[JiraLink]) -> None:
    """Risks' own links can only be broken (no status to compare), and are flagged only while
    the risk is live: a closed or mitigated risk is finished work."""
    risk_links = list(risk_links)
    live = set(
        db.session.scalars(
            sa.select(Risk.id).where(
                Risk.id.in_({link.risk_id for link in risk_links}),
                lifecycle.is_active_sql(Risk.status),
            )
        )
    )
    for link in risk_links:
        broken = link.ticket.broken and link.risk_id in live
        flag = db.session.scalar(
            sa.select(DriftFlag).where(
                DriftFlag.risk_id == link.risk_id,
                DriftFlag.mitigation_id.is_(None),
                DriftFlag.ticket_key == link.ticket.key,
            )
        )
        if broken and flag is None:
            found = jira_mapping.broken_risk_link(link.ticket.key)
            db.session.add(
                DriftFlag(
                    risk_id=link.risk_id,
                    kind=found.kind,
                    ticket_key=found.ticket_key,
                    detail=found.detail,
                    first_seen=clock.now(),
                )
            )
        elif not broken and flag is not None:
            db.session.delete(flag)


def of_live_risks(query: sa.Select) -> sa.Select:
    """`query` (of JiraLink) narrowed to links whose risk, its own or its mitigation's, is not
    archived. A join, not `IN (every live risk)`: SQLite would walk the links of every live
    risk for each batch of tickets, a cost that grew with the register."""
    return (
        query.outerjoin(Mitigation, Mitigation.id == JiraLink.mitigation_id)
        .join(Risk, Risk.id == sa.func.coalesce(JiraLink.risk_id, Mitigation.risk_id))
        .where(Risk.archived_at.is_(None))
    )


def apply_to_items(ticket_ids: Iterable[int]) -> int:
    """Follow-Jira statuses and drift for every item linked to these tickets; returns how many
    mitigations changed status."""
    ids = list(ticket_ids)
    # Archived risks are out of the program: the sync neither moves nor flags their items,
    # even through a ticket shared with a live one.
    links = db.session.scalars(
        of_live_risks(sa.select(JiraLink))
        .where(JiraLink.ticket_id.in_(ids))
        .options(selectinload(JiraLink.ticket))
    ).all()
    mitigation_ids = {link.mitigation_id for link in links if link.mitigation_id}
    # Everything the loop reads, in four queries whatever the batch size.
    mitigations = db.session.scalars(
        sa.select(Mitigation)
        .where(Mitigation.id.in_(mitigation_ids))
        .options(selectinload(Mitigation.risk))
    ).all()
    tickets = _grouped(
        db.session.execute(
            sa.select(JiraLink.mitigation_id, JiraTicket)
            .join(JiraTicket, JiraLink.ticket_id == JiraTicket.id)
            .where(JiraLink.mitigation_id.in_(mitigation_ids))
            .order_by(JiraTicket.key)
        )
    )
    flags = _grouped(
        db.session.execute(
            sa.select(DriftFlag.mitigation_id, DriftFlag).where(
                DriftFlag.mitigation_id.in_(mitigation_ids)
            )
        )
    )
    moves = [followed_move(m, tickets.get(m.id, [])) for m in mitigations]
    changed = move_statuses([move for move in moves if move is not None])
    with db.session.no_autoflush:
        for mitigation in mitigations:
            refresh_flags(mitigation, tickets.get(mitigation.id, []), flags.get(mitigation.id, []))
    refresh_risk_link_flags(link for link in links if link.risk_id)
    return changed


def _grouped(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for owner_id, item in rows:
        grouped.setdefault(owner_id, []).append(item)
    return grouped


def refresh_mitigation(mitigation: Mitigation) -> None:
    """Re-derive one mitigation's drift after the tracker side changed (a link added or removed,
    following switched); without tickets it has no drift at all."""
    tickets = tickets_of(mitigation)
    if not tickets:
        db.session.execute(sa.delete(DriftFlag).where(DriftFlag.mitigation_id == mitigation.id))
        return
    refresh_flags(mitigation, tickets)


def tickets_of(mitigation: Mitigation) -> list[JiraTicket]:
    return list(
        db.session.scalars(
            sa.select(JiraTicket)
            .join(JiraLink, JiraLink.ticket_id == JiraTicket.id)
            .where(JiraLink.mitigation_id == mitigation.id)
            .order_by(JiraTicket.key)
        )
    )
