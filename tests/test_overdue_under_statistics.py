"""Overdue work is counted right per risk once SQLite has planner statistics.

SQLite 3.40 (Debian 12's), after ANALYZE of a real register, seeks the index on mitigations
(risk, status, due date) for "risk = ? AND status IN (…) AND due < ?" with the wrong bounds
and counts work that is not overdue. tracker.domain.mitigations.is_overdue_sql writes the
range with both ends, which it seeks correctly.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import forget_planner_statistics, load_planner_statistics
from tracker.dashboard import ranking
from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.mitigations.queries import count_per_risk
from tracker.models import Mitigation, Risk

TODAY = date(2026, 7, 1)
# What ANALYZE of the bench's 1,000-risk register keeps for the mitigations' indexes.
BENCH_STATISTICS = [
    ("mitigations", "ix_mitigations_risk_status_due", "3979 4 2 1"),
    ("mitigations", "ix_mitigations_status_due", "3979 796 4 1 1"),
    ("mitigations", "ix_mitigations_team_status_due_risk", "3979 100 21 1 1"),
    ("risks", None, "1000"),
]


@pytest.fixture
def register(app, factory, payments):
    """Twenty risks with four mitigations each, of every status, due either side of TODAY;
    returns the overdue count of each risk by the Python rule."""
    picker = random.Random(1)
    risks = [factory.risk(team=payments) for _ in range(20)]
    rows, expected = [], {}
    for risk in risks:
        expected[risk.id] = 0
        for position in range(1, 5):
            status = picker.choice(rules.STATUSES)
            due = TODAY + timedelta(days=picker.randint(-120, 120))
            expected[risk.id] += rules.due_state(status, due, TODAY) == "overdue"
            rows.append({"risk_id": risk.id, "team_id": payments.id, "title": "Work",
                         "position": position, "status": status, "due_date": due,
                         "original_due_date": due})  # fmt: skip
    db.session.execute(sa.insert(Mitigation), rows)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        load_planner_statistics(BENCH_STATISTICS)
    yield expected
    forget_planner_statistics()


def test_each_risks_overdue_count_follows_the_rule(register):
    overdue = rules.is_overdue_sql(Mitigation.status, Mitigation.due_date, TODAY)
    counted = dict(db.session.execute(sa.select(Risk.id, count_per_risk(overdue))).all())
    assert counted == register


def test_the_rankings_overdue_count_follows_the_rule(register):
    counted = dict(db.session.execute(sa.select(Risk.id, ranking.overdue_count(TODAY))).all())
    assert counted == register
