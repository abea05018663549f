"""Benchmark: the roadmap, delivery and planning pages with the dashboard benchmark's data
(10,000 risks, 40,000 mitigations, 20,000 Jira links), done work given completion dates.

    python benchmarks/roadmap.py [--database-url URL] [--runs 30]

Default database: a throw-away SQLite file; with --database-url that database is emptied and
rebuilt. Prints each page's median and 90th percentile, its size and its SQL queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from benchmarks.dashboard import seed  # noqa: E402
from tests.conftest import drop_everything  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Mitigation, User  # noqa: E402

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


def measure(app, path: str, runs: int) -> None:
    client = app.test_client()
    viewer = db.session.scalar(sa.select(User))
    with client.session_transaction() as session:
        session["_user_id"] = viewer.get_id()
    client.get(path)
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    timings, size = [], 0
    for _ in range(runs):
        statements.clear()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.data)
    event.remove(db.engine, "before_cursor_execute", record)
    timings.sort()
    print(
        f"{path:32} median {statistics.median(timings):5.0f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1]:5.0f} ms, {size / 1024:6.1f} KB, "
        f"{len(statements)} SQL queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        drop_everything(url)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark-only-secret-key",
                "SQLALCHEMY_DATABASE_URI": url,
            }
        )
        with app.app_context():
            upgrade()
            seed()
            complete_done_work()
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            print(f"{url.split(':')[0]}: 10,000 risks, 40,000 mitigations, 20,000 Jira links")
            for path in PATHS:
                measure(app, path, args.runs)


if __name__ == "__main__":
    main()
