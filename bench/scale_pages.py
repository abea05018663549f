"""Benchmark: the pages whose length follows the register — My teams, Jira drift, starting a
weekly review and reading it (page, CSV, Markdown) — with the dashboard benchmark's data
(10,000 risks, 40,000 mitigations, 20,000 Jira links by default) and 1,200 drift flags.

    python -m bench.scale_pages [--database-url URL] [--risks 10000] [--runs 10]

The reader is an admin and a member of two teams (about 2,400 open mitigations between them).
Default database: a throw-away SQLite file; with --database-url that database is emptied and
rebuilt. Prints the time to start the first review (everything is new) and the next one,
then each page's median and 90th percentile, its size and its SQL queries.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import dashboard  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import DriftFlag, Mitigation, Team, User, team_members  # noqa: E402
from tracker.reviews import services as review_services  # noqa: E402

DRIFT_FLAGS = 1_200


def prepare() -> User:
    """Make the benchmark's reader an admin in two teams, and raise drift flags."""
    reader = db.session.scalar(sa.select(User))
    reader.role = "admin"
    teams = db.session.scalars(sa.select(Team.id).order_by(Team.id).limit(2)).all()
    db.session.execute(
        sa.insert(team_members), [{"team_id": t, "user_id": reader.id} for t in teams]
    )
    flagged = db.session.execute(
        sa.select(Mitigation.id, Mitigation.risk_id).order_by(Mitigation.id).limit(DRIFT_FLAGS)
    ).all()
    now = datetime.now(UTC)
    db.session.execute(
        sa.insert(DriftFlag),
        [
            {
                "risk_id": row.risk_id,
                "mitigation_id": row.id,
                "ticket_key": f"OPS-{row.id}",
                "kind": "jira_done_mitigation_open",
                "detail": "",
                "first_seen": now,
            }
            for row in flagged
        ],
    )
    db.session.commit()
    return reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--risks", type=int, default=dashboard.RISKS)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    dashboard.RISKS, dashboard.LINKS = args.risks, 2 * args.risks
    with dashboard.seeded_app(args.database_url) as app:
        reader = prepare()
        with app.test_request_context():
            started = time.perf_counter()
            review = review_services.start_review(reader)
            print(f"start the first review: {time.perf_counter() - started:.2f} s")
            # The weekly case: a previous review to count the changes from.
            review_services.finish_review(review, reader)
            started = time.perf_counter()
            review = review_services.start_review(reader)
            print(f"start the next review: {time.perf_counter() - started:.2f} s")
        review_id = review.id
        db.session.remove()
        for path in (
            "/my-teams",
            "/jira/drift",
            "/reviews",
            f"/reviews/{review_id}",
            f"/reviews/{review_id}?page=100",
            f"/reviews/{review_id}?team=team-1",
            f"/reviews/{review_id}.csv",
            f"/reviews/{review_id}.md",
        ):
            dashboard.measure(app, args.runs, path)


if __name__ == "__main__":
    main()
