"""Benchmark: the roadmap, delivery and planning pages with the dashboard benchmark's data
(10,000 risks, 40,000 mitigations, 20,000 Jira links), done work given completion dates.

    python -m bench.roadmap [--database-url URL] [--runs 30]

Default database: a throw-away SQLite file; with --database-url that database is emptied and
rebuilt. Prints each page's median and 90th percentile, its size and its SQL queries.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.dashboard import measure, seeded_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Mitigation  # noqa: E402

PATHS = (
    "/",  # the dashboard, as a yardstick measured in the same run
    "/roadmap",
    "/roadmap?team=team-1",
    "/roadmap?group=risk&page=7",
    "/roadmap/delivery",
    "/roadmap/delivery?team=team-1",
    "/roadmap/planning",
    "/roadmap/planning?team=team-1",
)


def complete_done_work() -> None:
    """Give done mitigations a completion date around their original due date."""
    rows = db.session.execute(
        sa.select(Mitigation.id, Mitigation.original_due_date).where(Mitigation.status == "done")
    ).all()
    table = Mitigation.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(completed_on=sa.bindparam("done_on")),
        [
            {"row_id": row.id, "done_on": row.original_due_date + timedelta(days=row.id % 9 - 4)}
            for row in rows
        ],
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with seeded_app(args.database_url) as app:
        complete_done_work()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        for path in PATHS:
            measure(app, args.runs, path)


if __name__ == "__main__":
    main()
