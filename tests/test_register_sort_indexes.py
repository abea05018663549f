"""On PostgreSQL every column sort of the register, in both directions, walks an index that
matches it (empty values last either way, then the newest key first) instead of sorting the
risks: the plan of a page's query has no sort step even with sorting priced out.

SQLite's two score indexes are pinned by benchmarks/register.py; the other sorts on SQLite, and
the team, status, mitigation and priority sorts anywhere, order by values no index holds.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker import clock
from tracker.extensions import db
from tracker.risks import queries
from tracker.risks import settings as scoring_settings

INDEXED = {
    "-score": "ix_risks_register_by_score",
    "-residual": "ix_risks_register_by_residual",
    "score": "ix_risks_register_by_score_asc",
    "residual": "ix_risks_register_by_residual_asc",
    **{
        f"{sign}{sort}": f"ix_risks_register_by_{sort}_{'desc' if sign else 'asc'}"
        for sort in ("key", "title", "bad_minutes", "next_review", "updated")
        for sign in ("", "-")
    },
}


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the register's sort indexes checked here are PostgreSQL's")


def plan_of(sort: str) -> str:
    view = queries.RegisterFilter.from_args({"sort": sort})
    query = queries.filtered(view, scoring_settings.current(), clock.today(), 14).limit(50)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    # Price sorting out: when an index matches the order, the planner walks it.
    db.session.execute(sa.text("SET LOCAL enable_sort = off"))
    plan = "\n".join(db.session.execute(sa.text(f"EXPLAIN {sql}")).scalars())
    db.session.rollback()
    return plan


@pytest.mark.parametrize("sort", list(INDEXED))
def test_each_column_sort_walks_its_index(postgresql, factory, sort):
    factory.risk(title="Primary database in one zone")
    plan = plan_of(sort)
    assert f"using {INDEXED[sort]} " in plan, plan
    assert "Sort" not in plan, plan
