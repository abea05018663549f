"""Delivery figures per team and quarter, added up by the database (two queries in all).

The rules (which mitigations belong to a quarter, on time, late) are stated in
tracker.domain.delivery; the SQL here computes the same tallies, and a test pins the two together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

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
    query = _scope(
        sa.select(
            Mitigation.team_id,
            index,
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
    ).group_by(Mitigation.team_id, sa.literal_column("quarter_index"))
    return {
        (team, quarter): Tally(*(int(value) for value in counts))
        for team, quarter, *counts in db.session.execute(query)
    }


def _days_late(quarters: list[Quarter], team_id: int | None) -> dict:
    query = _scope(
        sa.select(
            Mitigation.team_id,
            Mitigation.due_date,
            Mitigation.completed_on,
            Mitigation.original_due_date,
        ).where(
            Mitigation.status == "done",
            Mitigation.completed_on > Mitigation.original_due_date,
        ),
        quarters,
        team_id,
    )
    days: dict[tuple[int, int], list[int]] = defaultdict(list)
    for team, due, completed, original in db.session.execute(query):
        index = next(i for i, quarter in enumerate(quarters) if quarter.contains(due))
        days[team, index].append((completed - original).days)
    return days


def report(quarters: list[Quarter], today: date, team: Team | None = None) -> DeliveryReport:
    """Figures for every team (or `team`) and overall, for each of `quarters` (oldest first)."""
    team_id = team.id if team else None
    tallies = _tallies(quarters, today, team_id)
    days = _days_late(quarters, team_id)
    teams = (
        [team]
        if team
        else db.session.scalars(sa.select(Team).order_by(sa.func.lower(Team.name), Team.id)).all()
    )
    rows = []
    for each in teams:
        rows.append(
            TeamDelivery(
                each,
                [
                    figures(tallies.get((each.id, i), Tally()), days.get((each.id, i), []))
                    for i in range(len(quarters))
                ],
            )
        )
    overall = []
    for i in range(len(quarters)):
        total = sum((tallies.get((row.team.id, i), Tally()) for row in rows), Tally())
        late = [d for row in rows for d in days.get((row.team.id, i), [])]
        overall.append(figures(total, late))
    return DeliveryReport(quarters, rows, overall)
