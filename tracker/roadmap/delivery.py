"""Delivery figures per team and quarter, added up by the database (two queries).

The rules (which mitigations belong to a quarter, on time, late) are stated in
tracker.domain.delivery; the SQL here computes the same tallies, and a test pins the two together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker import figures_cache
from tracker.domain.delivery import Figures, Quarter, Tally, figures
from tracker.domain.mitigations import is_overdue_sql
from tracker.extensions import db
from tracker.models import Mitigation, Team

FIELDS = (
    "due",
    "completed",
    "on_time",
    "late",
    "on_time_rate",
    "median_days_late",
    "slips_per_mitigation",
    "overdue",
    "blocked",
)


@dataclass(frozen=True)
class TeamDelivery:
    """One team's figures for each quarter of the report (oldest first)."""

    team: Team
    quarters: list[Figures]

    @property
    def latest(self) -> Figures:
        return self.quarters[-1]


@dataclass(frozen=True)
class DeliveryReport:
    quarters: list[Quarter]
    teams: list[TeamDelivery]
    overall: list[Figures]
    # Incident follow-ups alone (they are also counted in the teams' and overall figures).
    follow_ups: list[Figures]

    @property
    def quarter(self) -> Quarter:
        """The quarter the report is for (the last of its quarters)."""
        return self.quarters[-1]


def _count(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _quarter_index(quarters: list[Quarter]) -> sa.ColumnElement[int]:
    return sa.case(
        *(
            (Mitigation.due_date.between(quarter.first_day, quarter.last_day), index)
            for index, quarter in enumerate(quarters)
        ),
        else_=-1,
    )


def _scope(query: sa.Select, quarters: list[Quarter], team_id: int | None) -> sa.Select:
    # Archived risks' work counts too: archiving a risk does not rewrite a team's record.
    query = query.where(Mitigation.status != "cancelled").where(
        Mitigation.due_date.between(quarters[0].first_day, quarters[-1].last_day)
    )
    return query.where(Mitigation.team_id == team_id) if team_id is not None else query


def _tallies(quarters: list[Quarter], today: date, team_id: int | None) -> dict:
    done = Mitigation.status == "done"
    judged = sa.and_(done, Mitigation.completed_on.is_not(None))
    index = _quarter_index(quarters).label("quarter_index")
    follow_up = _follow_up().label("follow_up")
    query = _scope(
        sa.select(
            Mitigation.team_id,
            index,
            follow_up,
            sa.func.count(),
            _count(done),
            _count(sa.and_(judged, Mitigation.completed_on <= Mitigation.original_due_date)),
            _count(sa.and_(judged, Mitigation.completed_on > Mitigation.original_due_date)),
            sa.func.coalesce(sa.func.sum(Mitigation.slip_count), 0),
            _count(is_overdue_sql(Mitigation.status, Mitigation.due_date, today)),
            _count(Mitigation.status == "blocked"),
        ),
        quarters,
        team_id,
    ).group_by(
        Mitigation.team_id, sa.literal_column("quarter_index"), sa.literal_column("follow_up")
    )
    return {
        (team, quarter, bool(follow)): Tally(*(int(value) for value in counts))
        for team, quarter, follow, *counts in db.session.execute(query)
    }


def _follow_up() -> sa.ColumnElement[int]:
    return sa.case((Mitigation.source_incident_id.is_not(None), 1), else_=0)


def _days_late(quarters: list[Quarter], team_id: int | None) -> dict:
    query = _scope(
        sa.select(
            Mitigation.team_id,
            Mitigation.due_date,
            Mitigation.completed_on,
            Mitigation.original_due_date,
            _follow_up(),
        ).where(
            Mitigation.status == "done",
            Mitigation.completed_on > Mitigation.original_due_date,
        ),
        quarters,
        team_id,
    )
    days: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for team, due, completed, original, follow in db.session.execute(query):
        index = next(i for i, quarter in enumerate(quarters) if quarter.contains(due))
        days[team, index, bool(follow)].append((completed - original).days)
    return days


def _figures_of(tallies: dict, days: dict, keys: list[tuple]) -> Figures:
    total = sum((tallies.get(key, Tally()) for key in keys), Tally())
    return figures(total, [d for key in keys for d in days.get(key, [])])


def _counts(quarters: list[Quarter], today: date, team_id: int | None) -> tuple[dict, dict]:
    return _tallies(quarters, today, team_id), dict(_days_late(quarters, team_id))


def report(
    quarters: list[Quarter], today: date, team: Team | None = None, *, cached: bool = False
) -> DeliveryReport:
    """Figures for every team (or `team`) and overall, for each of `quarters` (oldest first),
    and those of incident follow-ups alone; three queries at most (two add up the work).

    With `cached`, for pages that only read: the sums are kept in figures_cache until the
    register changes or the day does (they add up every mitigation due in the quarters), so
    a reader costs the register's version and the teams.
    """
    team_id = team.id if team else None
    if cached:
        key = (quarters[0], quarters[-1], today, team_id)
        tallies, days = figures_cache.cache().figures(
            "roadmap-delivery", key, lambda: _counts(quarters, today, team_id)
        )
    else:
        tallies, days = _counts(quarters, today, team_id)
    teams = (
        [team]
        if team
        else db.session.scalars(sa.select(Team).order_by(sa.func.lower(Team.name), Team.id)).all()
    )
    both = (False, True)
    rows = [
        TeamDelivery(
            each,
            [
                _figures_of(tallies, days, [(each.id, i, f) for f in both])
                for i in range(len(quarters))
            ],
        )
        for each in teams
    ]
    overall = [
        _figures_of(tallies, days, [(t.id, i, f) for t in teams for f in both])
        for i in range(len(quarters))
    ]
    follow_ups = [
        _figures_of(tallies, days, [(t.id, i, True) for t in teams]) for i in range(len(quarters))
    ]
    return DeliveryReport(quarters, rows, overall, follow_ups)
