"""Reading mitigations: a team's open work, the overdue list, per-risk counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from tracker.domain import mitigations as rules
from tracker.domain.lifecycle import in_treatment_sql
from tracker.extensions import db
from tracker.models import Mitigation, Risk, Team
from tracker.paging import Page, clamp_page


def of_live_risks() -> sa.ColumnElement[bool]:
    """Condition on Mitigation: its risk is not archived.

    Written as "not among the archived risks" (a short list read once) rather than a join to
    every mitigation's risk, so counting mitigations reads only an index of mitigations. (The
    list is hashed while it fits PostgreSQL's work_mem: a quarter of a million archived risks.)
    """
    return Mitigation.risk_id.not_in(sa.select(Risk.id).where(Risk.archived_at.isnot(None)))


# Ids are 32-bit integers; a larger number names no mitigation (and must not reach SQLite,
# which cannot bind it).
MAX_ID = 2**31 - 1


def mitigation_or_404(mitigation_id: int) -> Mitigation:
    """The mitigation with this id, for a page or action on it.

    :raise 404: when no mitigation has the id.
    """
    mitigation = db.session.get(Mitigation, mitigation_id) if 0 < mitigation_id <= MAX_ID else None
    if mitigation is None:
        abort(404, f"No mitigation has the id {mitigation_id}.")
    return mitigation


def _with_display(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Mitigation.risk), joinedload(Mitigation.owner), joinedload(Mitigation.team)
    )


# My teams groups its open work by due state: overdue, due soon (within DUE_SOON_DAYS), later.
WORK_GROUPS = ("overdue", "due_soon", "later")


def _group_condition(group: str, today: date, due_soon_days: int):
    status, due = Mitigation.status, Mitigation.due_date
    if group == "overdue":
        return rules.is_overdue_sql(status, due, today)
    if group == "due_soon":
        return rules.is_due_soon_sql(status, due, today, due_soon_days)
    return sa.and_(rules.is_open_sql(status), due > today + timedelta(days=due_soon_days))


def open_work_counts(team_ids: Iterable[int], today: date, due_soon_days: int) -> dict[str, int]:
    """How many open mitigations of these teams (on risks not archived) are in each of
    WORK_GROUPS: one aggregate query."""
    ids = list(team_ids)
    if not ids:
        return dict.fromkeys(WORK_GROUPS, 0)
    sums = [
        sa.func.sum(sa.case((_group_condition(group, today, due_soon_days), 1), else_=0))
        for group in WORK_GROUPS
    ]
    # "Not among the archived risks" rather than a join to every row's risk: the count then
    # reads the index on (team, status, due date, risk) alone.
    row = db.session.execute(
        sa.select(*sums).where(
            Mitigation.team_id.in_(ids), rules.is_open_sql(Mitigation.status), of_live_risks()
        )
    ).one()
    return {group: int(value or 0) for group, value in zip(WORK_GROUPS, row, strict=True)}


def first_open_of_teams(team_ids: list[int | None], rows: int, *conditions) -> sa.Subquery:
    """(id, due_date) of the first `rows` open mitigations of live risks meeting `conditions`,
    by due date, of each of these teams — not yet merged or ordered.

    Read as the first `rows` of each (team, open status) — each an ordered range of the index
    on (team, status, due date), which stops after `rows` — rather than sorting every open
    mitigation of the teams: a team's first page costs the same whatever its size.
    """
    parts = [
        sa.select(Mitigation.id, Mitigation.due_date)
        .where(
            Mitigation.team_id == team_id,
            Mitigation.status == status,
            *conditions,
            of_live_risks(),
        )
        .order_by(Mitigation.due_date, Mitigation.id)
        .limit(rows)
        .subquery()
        for team_id in team_ids
        for status in rules.OPEN_STATUSES
    ]
    return sa.union_all(*(sa.select(part.c.id, part.c.due_date) for part in parts)).subquery()


def _first_of_group(
    team_ids: list[int], group: str, today: date, due_soon_days: int, rows: int
) -> sa.Subquery:
    """The ids of the first `rows` of a group of these teams' open work, by due date (with no
    team, none)."""
    condition = _group_condition(group, today, due_soon_days)
    return first_open_of_teams(team_ids or [None], rows, condition)


def open_work_page(
    team_ids: Iterable[int],
    group: str,
    today: date,
    due_soon_days: int,
    *,
    total: int,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """One page of a group (one of WORK_GROUPS) of these teams' open work, by due date, with
    its risk, owner and team: one query. `total` is the group's count (open_work_counts); a
    page past the last gives the last."""
    page = clamp_page(page, total, per_page)
    first = _first_of_group(list(team_ids), group, today, due_soon_days, page * per_page)
    query = (
        sa.select(Mitigation)
        .join(first, first.c.id == Mitigation.id)
        .order_by(Mitigation.due_date, Mitigation.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(db.session.scalars(_with_display(query)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def overdue(today: date, team_slug: str | None = None) -> list[Mitigation]:
    """Open mitigations due before today, oldest due first."""
    query = (
        sa.select(Mitigation)
        .join(Risk, Mitigation.risk_id == Risk.id)
        .where(
            Risk.archived_at.is_(None),
            rules.is_overdue_sql(Mitigation.status, Mitigation.due_date, today),
        )
        .order_by(Mitigation.due_date, Mitigation.id)
    )
    if team_slug:
        query = query.join(Team, Mitigation.team_id == Team.id).where(Team.slug == team_slug)
    return list(db.session.scalars(_with_display(query)))


@dataclass(frozen=True)
class MitigationCounts:
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    done: int = 0
    total: int = 0


def counts_by_risk(
    risk_ids: Iterable[int], today: date, due_soon_days: int
) -> dict[int, MitigationCounts]:
    """Per risk: open, overdue, due-soon, done and total mitigations, in one grouped query."""
    ids = list(risk_ids)
    if not ids:
        return {}
    status, due = Mitigation.status, Mitigation.due_date

    def count_where(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    rows = db.session.execute(
        sa.select(
            Mitigation.risk_id,
            count_where(rules.is_open_sql(status)),
            count_where(rules.is_overdue_sql(status, due, today)),
            count_where(rules.is_due_soon_sql(status, due, today, due_soon_days)),
            count_where(Mitigation.status == "done"),
            sa.func.count(),
        )
        .where(Mitigation.risk_id.in_(ids))
        .group_by(Mitigation.risk_id)
    )
    return {row[0]: MitigationCounts(*(int(value or 0) for value in row[1:])) for row in rows}


def has_due_state(state: str, today: date, due_soon_days: int):
    """A condition on Risk: it has a mitigation whose due state (tracker.domain.mitigations.
    due_state) is `state`, "overdue" or "due_soon"."""
    status, due = Mitigation.status, Mitigation.due_date
    condition = (
        rules.is_overdue_sql(status, due, today)
        if state == "overdue"
        else rules.is_due_soon_sql(status, due, today, due_soon_days)
    )
    return Risk.id.in_(sa.select(Mitigation.risk_id).where(condition))


def count_per_risk(condition) -> sa.ScalarSelect:
    """A correlated subquery for a query over Risk: how many of the risk's mitigations meet
    `condition`."""
    return (
        sa.select(sa.func.count())
        .where(Mitigation.risk_id == Risk.id, condition)
        .correlate(Risk)
        .scalar_subquery()
    )


def needs_rescore_condition():
    """A condition on Risk: tracker.domain.mitigations.needs_rescore (its owner should re-score
    the residual and mark it mitigated)."""
    return rules.needs_rescore_sql(Risk.status, Risk.mitigation_work)


def no_live_mitigation_condition():
    """A condition on Risk: a risk to mitigate, in treatment, with no mitigation but cancelled
    ones (the dashboard's and roadmap planning's "no mitigation")."""
    return sa.and_(
        in_treatment_sql(Risk.status),
        Risk.treatment == "mitigate",
        Risk.mitigation_work == "none",
    )


def risks_needing_rescore() -> list[Risk]:
    """Risks flagged "mitigations complete, not re-scored", highest score first."""
    query = (
        sa.select(Risk)
        .where(Risk.archived_at.is_(None), needs_rescore_condition())
        .options(joinedload(Risk.team), joinedload(Risk.owner))
        .order_by(Risk.score.desc(), Risk.number)
    )
    return list(db.session.scalars(query))
