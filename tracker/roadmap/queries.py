"""Reading the open work the roadmap lays out: one page of it, with its tickets.

A page costs the same whatever the register's size: the open work is counted per team once
per change to the register (figures_cache), and a page reads only the index ranges it shows —
by team, the first rows of each (team, open status) it covers; by risk, the risks in number
order up to its last row — never sorting the whole backlog.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker import figures_cache
from tracker.domain.mitigations import is_open_sql
from tracker.extensions import db
from tracker.jira import epics
from tracker.mitigations.queries import first_open_of_teams, of_live_risks
from tracker.models import JiraLink, JiraTicket, Mitigation, Risk, Team
from tracker.paging import Page, clamp_page

GROUPINGS = ("team", "risk")


@dataclass(frozen=True)
class WorkPage(Page):
    """A page of open mitigations, with the tickets linked to each and their epics' progress."""

    tickets: dict[int, list[JiraTicket]]
    progress: dict[int, epics.Progress]


def open_work_by_team() -> list[tuple[int, int]]:
    """(team id, open mitigations of live risks) for every team with open work, in the
    roadmap's team order (name, then id): one aggregate query over the index of mitigations
    by (team, status, …), cached until the register changes."""
    return figures_cache.cache().figures("roadmap-open-work", (), _count_open_work)


def _count_open_work() -> list[tuple[int, int]]:
    counts = (
        sa.select(Mitigation.team_id, sa.func.count().label("open"))
        .where(is_open_sql(Mitigation.status), of_live_risks())
        .group_by(Mitigation.team_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(counts.c.team_id, counts.c.open)
        .join(Team, Team.id == counts.c.team_id)
        .order_by(Team.name, Team.id)
    )
    return [(team_id, int(count)) for team_id, count in rows]


def _team_slices(
    counts: list[tuple[int, int]], start: int, stop: int
) -> list[tuple[int, int, int]]:
    """(team id, first row, rows) within each team for rows start … stop - 1 of the list of
    every team's open work, teams in the order of `counts`."""
    slices, before = [], 0
    for team_id, count in counts:
        first, last = max(start - before, 0), min(stop - before, count)
        if first < last:
            slices.append((team_id, first, last - first))
        before += count
        if before >= stop:
            break
    return slices


def _ids_by_team(slices: list[tuple[int, int, int]]) -> list[int]:
    """The ids of these slices of teams' open work, team after team, each by due date: one
    query, whose parts each read at most a slice's end of one (team, status) index range."""
    if not slices:
        return []
    parts = []
    for place, (team_id, first, rows) in enumerate(slices):
        merged = first_open_of_teams([team_id], first + rows)
        page = (
            sa.select(merged.c.id, merged.c.due_date)
            .order_by(merged.c.due_date, merged.c.id)
            .limit(rows)
            .offset(first)
            .subquery()
        )
        parts.append(sa.select(sa.literal(place).label("place"), page.c.id, page.c.due_date))
    everything = sa.union_all(*parts).subquery()
    return list(
        db.session.scalars(
            sa.select(everything.c.id).order_by(
                everything.c.place, everything.c.due_date, everything.c.id
            )
        )
    )


def _ids_by_risk(team_id: int | None, start: int, rows: int) -> list[int]:
    # The risks in number order, each with its open work: the database walks the unique index
    # on numbers and stops once it has the page (it sorts only each risk's few rows).
    query = (
        sa.select(Mitigation.id)
        .join(Risk, Risk.id == Mitigation.risk_id)
        .where(is_open_sql(Mitigation.status), Risk.archived_at.is_(None))
        .order_by(Risk.number, Mitigation.due_date, Mitigation.id)
        .limit(rows)
        .offset(start)
    )
    if team_id is not None:
        query = query.where(Mitigation.team_id == team_id)
    return list(db.session.scalars(query))


def open_work_page(team_id: int | None, group: str, page: int, per_page: int) -> WorkPage:
    """One page of the open mitigations of live risks (of one team, when given), grouped by
    team (teams by name) or by risk (by number), each group's work by due date — the most
    overdue first. Six queries at most, whatever the register's size: the register's version
    (and the count per team when it changed), the page's ids, its rows with risk, team and
    owner, their tickets, their epics' progress. A page past the last gives the last."""
    counts = open_work_by_team()
    if team_id is not None:
        counts = [(team, count) for team, count in counts if team == team_id]
    total = sum(count for _, count in counts)
    page = clamp_page(page, total, per_page)
    start = (page - 1) * per_page
    if group == "team":
        ids = _ids_by_team(_team_slices(counts, start, start + per_page))
    else:
        ids = _ids_by_risk(team_id, start, per_page) if total else []
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
