"""Benchmark: sync N linked Jira tickets against the local Jira-protocol test server.

    python -m bench.jira_sync [--tickets 5000] [--deployment DataCenter|Cloud] [--batch 100]
                              [--database-url URL]

Prints, for a first sync (every ticket new) and a second (nothing changed), the HTTP requests
the sync made (at most 2 × ceil(N / batch) + 2: per batch a search for the tickets and one for
their children, plus the server info and the field list), its wall time and its CPU time
(target: 20,000 tickets in 30 s on a 2-core machine). Default database: a throw-away SQLite
file; with --database-url (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_sync_1)
that database is emptied and rebuilt.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from tests.conftest import drop_everything  # noqa: E402
from tests.jira_server import DEFAULT_TOKEN, DEFAULT_USER, FakeJira  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.jira.settings import JiraSettings  # noqa: E402
from tracker.jira.sync import run_sync  # noqa: E402
from tracker.mitigations import work_state  # noqa: E402
from tracker.models import Category, JiraLink, JiraTicket, Mitigation, Risk, Team  # noqa: E402

TICKETS_PER_MITIGATION = 2
STATES = [("To Do", "new"), ("In Progress", "indeterminate"), ("Done", "done")]


def seed(tickets: int) -> None:
    """Risks, mitigations and linked tickets, inserted in bulk."""
    now = datetime.now(UTC)
    team = Team(slug="payments", name="Payments")
    db.session.add(team)
    db.session.flush()
    category_id = db.session.scalar(sa.select(Category.id).limit(1))
    mitigations = math.ceil(tickets / TICKETS_PER_MITIGATION)
    risks = max(1, mitigations // 5)
    db.session.execute(
        sa.insert(Risk),
        [
            {
                "number": n,
                "title": f"Risk {n}",
                "description": "",
                "category_id": category_id,
                "service": "",
                "team_id": team.id,
                "likelihood": 3,
                "impact": 3,
                "score": 9,
                "residual_likelihood": 1,
                "residual_impact": 1,
                "residual_score": 1,
                "treatment": "mitigate",
                "status": "open",
                "next_review": date(2027, 1, 1),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, risks + 1)
        ],
    )
    risk_ids = db.session.scalars(sa.select(Risk.id).order_by(Risk.id)).all()
    db.session.execute(
        sa.insert(Mitigation),
        [
            {
                "risk_id": risk_ids[m % risks],
                "position": m,
                "title": f"Work {m}",
                "description": "",
                "team_id": team.id,
                "due_date": date(2027, 6, 1),
                "original_due_date": date(2027, 6, 1),
                "slip_count": 0,
                "status": "planned",
                "notes": "",
                "follow_jira": m % 2 == 0,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for m in range(mitigations)
        ],
    )
    work_state.refresh_all()  # rows inserted below the ORM
    mitigation_ids = db.session.scalars(sa.select(Mitigation.id).order_by(Mitigation.id)).all()
    db.session.execute(
        sa.insert(JiraTicket),
        [{"key": f"OPS-{n}", "summary": "", "fix_versions": ""} for n in range(1, tickets + 1)],
    )
    ticket_ids = db.session.scalars(sa.select(JiraTicket.id).order_by(JiraTicket.id)).all()
    db.session.execute(
        sa.insert(JiraLink),
        [
            {
                "ticket_id": ticket_id,
                "mitigation_id": mitigation_ids[i // TICKETS_PER_MITIGATION],
                "created_at": now,
            }
            for i, ticket_id in enumerate(ticket_ids)
        ],
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Statistics, as a live database has them (autovacuum has not come by yet): without
        # them PostgreSQL plans each batch's lookup by key as a scan of the whole table.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def serve_fake_jira(tickets: int, deployment: str, batch: int, urls, stop) -> None:
    """Run the fake Jira in its own process, as a real one runs on its own machine: the sync's
    timing then excludes the server's work."""
    fake = FakeJira(deployment, max_results=batch)
    for n in range(1, tickets + 1):
        name, category = STATES[n % len(STATES)]
        fake.add_ticket(
            f"OPS-{n}",
            summary=f"Ticket {n}",
            status_name=name,
            status_category=category,
            assignee=None if n % 7 == 0 else "Ana Ops",
            duedate="2027-05-01",
        )
    with fake:
        urls.put(fake.url)
        cpu = time.process_time()
        stop.wait(timeout=600)
        urls.put((len(fake.requests), time.process_time() - cpu))


def timed_sync(app, label: str) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    run = run_sync(JiraSettings.from_config(app.config), full=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label}: {run.status}, {run.tickets_read} read, {run.tickets_changed} changed, "
        f"{run.mitigations_changed} mitigations moved, {run.requests} requests, "
        f"{elapsed:.2f} s (CPU {cpu:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--deployment", choices=["DataCenter", "Cloud"], default="DataCenter")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    urls, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve_fake_jira, args=(args.tickets, args.deployment, args.batch, urls, stop)
    )
    server.start()
    url = urls.get(timeout=120)
    try:
        with tempfile.TemporaryDirectory() as folder:
            database_url = args.database_url or f"sqlite:///{folder}/bench.db"
            drop_everything(database_url)
            app = create_app(
                {
                    "TESTING": True,
                    "SECRET_KEY": "benchmark-only-secret-key",
                    "SQLALCHEMY_DATABASE_URI": database_url,
                    "JIRA_URL": url,
                    "JIRA_USER": DEFAULT_USER,
                    "JIRA_TOKEN": DEFAULT_TOKEN,
                    "JIRA_BATCH_SIZE": args.batch,
                }
            )
            with app.app_context():
                upgrade()
                seed(args.tickets)
                print(
                    f"{args.deployment}, {args.tickets} linked tickets, batch {args.batch}, "
                    f"{db.engine.dialect.name}, at most "
                    f"{2 * math.ceil(args.tickets / args.batch) + 2} requests a sync"
                )
                timed_sync(app, "first sync (every ticket new)")
                timed_sync(app, "second sync (nothing changed)")
                db.session.remove()
                db.engine.dispose()
    finally:
        stop.set()
        requests, cpu = urls.get(timeout=30)
        print(f"HTTP requests the server saw in all: {requests}, its CPU {cpu:.2f} s")
        server.join(timeout=30)


if __name__ == "__main__":
    main()
