"""Reading the open work the roadmap lays out: one page of it, with its tickets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.domain.mitigations import is_open_sql
from tracker.extensions import db
from tracker.jira import epics
from tracker.models import JiraLink, JiraTicket, Mitigation, Risk, Team
from tracker.paging import Page, clamp_page

GROUPINGS = ("team", "risk")


@dataclass(frozen=True)
class WorkPage(Page):
    """A page of open mitigations, with the tickets linked to each and their epics' progress."""

    tickets: dict[int, list[JiraTicket]]
    progress: dict[int, epics.Progress]


def _open_work(team_id: int | None) -> sa.Select:
    query = (
        sa.select(Mitigation.id)
        .join(Risk, Risk.id == Mitigation.risk_id)
        .where(is_open_sql(Mitigation.status), Risk.archived_at.is_(None))
    )
    return query.where(Mitigation.team_id == team_id) if team_id is not None else query


def _ordered(query: sa.Select, group: str) -> sa.Select:
    # Rows of one team (or risk) stay together; within it the most overdue work comes first.
    if group == "team":
        query = query.join(Team, Team.id == Mitigation.team_id)
        keys = (Team.name, Team.id)
    else:
        keys = (Risk.number,)
    return query.order_by(*keys, Mitigation.due_date, Mitigation.id)


def open_work_page(team_id: int | None, group: str, page: int, per_page: int) -> WorkPage:
    """One page of the open mitigations of live risks (of one team, when given), grouped by
    team or by risk, in five queries: count, the page's ids, its rows with risk, team and
    owner, their tickets, their epic progress. Sorting ids alone keeps the sort narrow on a
    large register."""
    query = _open_work(team_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = clamp_page(page, total, per_page)
    ids = db.session.scalars(
        _ordered(query, group).limit(per_page).offset((page - 1) * per_page)
    ).all()
    rows = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Mitigation)
            .where(Mitigation.id.in_(ids))
            .options(
                joinedload(Mitigation.risk),
                joinedload(Mitigation.team),
                joinedload(Mitigation.owner),
            )
        ).unique()
    }
    items = [rows[i] for i in ids if i in rows]
    return WorkPage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        tickets=tickets_of(ids),
        progress=epics.progress_by_mitigation(ids),
    )


def tickets_of(mitigation_ids: list[int]) -> dict[int, list[JiraTicket]]:
    """The tickets linked to each of these mitigations, by key; one query."""
    if not mitigation_ids:
        return {}
    rows = db.session.execute(
        sa.select(JiraLink.mitigation_id, JiraTicket)
        .join(JiraTicket, JiraTicket.id == JiraLink.ticket_id)
        .where(JiraLink.mitigation_id.in_(mitigation_ids))
        .order_by(JiraTicket.key)
    )
    tickets: dict[int, list[JiraTicket]] = defaultdict(list)
    for mitigation_id, ticket in rows:
        tickets[mitigation_id].append(ticket)
    return tickets
