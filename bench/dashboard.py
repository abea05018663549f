"""Benchmark: the dashboard's server time with 10,000 risks, 40,000 mitigations and 20,000
Jira links.

    python -m bench.dashboard [--database-url URL] [--runs 30]

Default database: a throw-away SQLite file. With --database-url (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test) that database is emptied and rebuilt.
Prints the median and 90th percentile of the request time, and the SQL queries per request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from tests.conftest import drop_everything, signed_in_client  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import hash_password  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.mitigations import work_state  # noqa: E402
from tracker.models import Category, JiraLink, JiraTicket, Mitigation, Risk, Team, User  # noqa: E402

RISKS, MITIGATIONS_PER_RISK, LINKS = 10_000, 4, 20_000
STATUSES = ["open", "open", "mitigating", "accepted", "closed"]
MITIGATION_STATUSES = ["planned", "in_progress", "blocked", "done", "cancelled"]


def seed() -> None:
    now = datetime.now(UTC)
    today = date.today()
    teams = [Team(slug=f"team-{n}", name=f"Team {n}") for n in range(20)]
    db.session.add_all(teams)
    db.session.add(
        User(
            email="viewer@example.com",
            display_name="Viewer",
            role="viewer",
            password_hash=hash_password("benchmark password"),
        )
    )
    db.session.flush()
    team_ids = [team.id for team in teams]
    categories = db.session.scalars(sa.select(Category.id)).all()
    db.session.execute(
        sa.insert(Risk),
        [
            {
                "number": n,
                "title": f"Risk {n}",
                "description": "",
                "category_id": categories[n % 7],
                "service": "",
                "team_id": team_ids[n % 20],
                "likelihood": 1 + n % 5,
                "impact": 1 + (n // 5) % 5,
                "score": (1 + n % 5) * (1 + (n // 5) % 5),
                # Every fourth risk's residual is not assessed yet.
                "residual_likelihood": 1 if n % 4 else None,
                "residual_impact": 1 + n % 3 if n % 4 else None,
                "residual_score": 1 + n % 3 if n % 4 else None,
                "treatment": "mitigate",
                "status": STATUSES[n % 5],
                "next_review": today + timedelta(days=n % 60 - 20),
                "version": 1,
                "bad_minutes_per_year": (n % 50) * 3.0 if n % 3 else None,
                "acceptance_expires": today + timedelta(days=n % 30) if n % 5 == 3 else None,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, RISKS + 1)
        ],
    )
    risk_ids = db.session.scalars(sa.select(Risk.id).order_by(Risk.id)).all()
    db.session.execute(
        sa.insert(Mitigation),
        [
            {
                "risk_id": risk_ids[m // MITIGATIONS_PER_RISK],
                "position": m % MITIGATIONS_PER_RISK,
                "title": f"Work {m}",
                "description": "",
                "team_id": team_ids[m % 20],
                "due_date": today + timedelta(days=m % 90 - 30),
                "original_due_date": today + timedelta(days=m % 90 - 40),
                "slip_count": m % 3,
                "status": MITIGATION_STATUSES[m % 5],
                "notes": "",
                "follow_jira": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for m in range(RISKS * MITIGATIONS_PER_RISK)
        ],
    )
    work_state.refresh_all()  # rows inserted below the ORM
    db.session.execute(
        sa.insert(JiraTicket),
        [
            {"key": f"OPS-{n}", "summary": "", "fix_versions": "", "broken": n % 50 == 0}
            for n in range(1, LINKS + 1)
        ],
    )
    ticket_ids = db.session.scalars(sa.select(JiraTicket.id).order_by(JiraTicket.id)).all()
    mitigation_ids = db.session.scalars(sa.select(Mitigation.id).order_by(Mitigation.id)).all()
    db.session.execute(
        sa.insert(JiraLink),
        [
            {"ticket_id": ticket_id, "mitigation_id": mitigation_ids[i * 2], "created_at": now}
            for i, ticket_id in enumerate(ticket_ids)
        ],
    )
    db.session.commit()


def measure(app, runs: int, path: str = "/") -> None:
    """Time `runs` GETs of `path` as a viewer; print the median, p90, the page's size and the
    queries per request."""
    viewer = db.session.scalar(sa.select(User))
    # Signed in as by the sign-in form: a login session on the server, not only a cookie.
    client = signed_in_client(app, viewer)
    client.get(path)  # warm caches (and, for the dashboard, this week's snapshot row)
    statements: list[str] = []

    def record(*args) -> None:
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
        f"GET {path}: median {statistics.median(timings):.0f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1]:.0f} ms over {runs} runs, "
        f"{size / 1024:.1f} KB, {len(statements)} SQL queries per request"
    )


def _seed_register() -> str:
    seed()
    return f"{RISKS:,} risks, {RISKS * MITIGATIONS_PER_RISK:,} mitigations, {LINKS:,} Jira links"


@contextmanager
def seeded_app(database_url: str | None, build: Callable[[], str] | None = None) -> Iterator[Flask]:
    """An app over a freshly built and seeded database (a throw-away SQLite file unless
    `database_url`), inside its app context. `build` seeds it and says what it holds (by
    default the register of `seed`)."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.db"
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
            started = time.perf_counter()
            held = (build or _seed_register)()
            # Fresh bulk-loaded tables have no planner statistics yet (PostgreSQL's autovacuum
            # gathers them within a minute); without them PostgreSQL picks nested loops for the
            # EXISTS conditions and one request takes seconds.
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            print(f"{url.split(':')[0]}: seeded {held} in {time.perf_counter() - started:.1f} s")
            yield app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with seeded_app(args.database_url) as app:
        measure(app, args.runs)


if __name__ == "__main__":
    main()
