"""Benchmark: the incident list, its API and a risk's page with 5,000 incidents linked to
2,000 risks (10,000 services, 5,000 links); with --dashboard, the dashboard and the error-budget
API with 5,000 incidents (a year and a month of them, a tenth with a follow-up) added to the
dashboard benchmark's 10,000 risks, 40,000 mitigations and 20,000 Jira links.

    python -m bench.incidents [--database-url URL] [--runs 30] [--dashboard]

Default database: a throw-away SQLite file. With --database-url (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test) that database is emptied and rebuilt.
Prints, per page, the median and 90th percentile of the request time and the SQL queries per
request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from tests.conftest import signed_in_client  # noqa: E402
from tracker.accounts.services import hash_password  # noqa: E402
from tracker.api.tokens import create_token  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.mitigations import work_state  # noqa: E402
from tracker.models import (  # noqa: E402
    Category,
    Incident,
    IncidentService,
    Mitigation,
    Risk,
    Team,
    User,
    incident_risks,
)

RISKS, INCIDENTS, SERVICES_PER_INCIDENT = 2_000, 5_000, 2
SEVERITIES = ["sev1", "sev2", "sev3", "sev3", "sev4"]
STATUSES = ["open", "reviewing", "closed", "closed"]
PAGES = (
    "/incidents",
    "/incidents?team=team-3&severity=sev3",
    "/incidents?service=service-7",
    "/incidents?q=outage+42",
    "/risks/RISK-1",
)


def seed() -> None:
    now = datetime.now(UTC)
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
    category = db.session.scalar(sa.select(Category.id))
    db.session.execute(
        sa.insert(Risk),
        [
            {
                "number": n,
                "title": f"Risk {n}",
                "description": "",
                "category_id": category,
                "service": "",
                "team_id": team_ids[n % 20],
                "likelihood": 3,
                "impact": 3,
                "score": 9,
                "residual_likelihood": 2,
                "residual_impact": 2,
                "residual_score": 4,
                "treatment": "mitigate",
                "status": "open",
                "next_review": date.today() + timedelta(days=30),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, RISKS + 1)
        ],
    )
    db.session.execute(
        sa.insert(Incident),
        [
            {
                "number": n,
                "title": f"Outage {n}",
                "summary": "Checkout returned errors",
                "severity": SEVERITIES[n % 5],
                "team_id": team_ids[n % 20],
                "started_at": now - timedelta(hours=n * 1.7),
                "resolved_at": now - timedelta(hours=n * 1.7 - 1),
                "impact_minutes": float(n % 60),
                "review_url": "",
                "status": STATUSES[n % 4],
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, INCIDENTS + 1)
        ],
    )
    incident_ids = db.session.scalars(sa.select(Incident.id).order_by(Incident.id)).all()
    risk_ids = db.session.scalars(sa.select(Risk.id).order_by(Risk.id)).all()
    db.session.execute(
        sa.insert(IncidentService),
        [
            {"incident_id": incident_id, "name": f"service-{(i + s * 7) % 50}"}
            for i, incident_id in enumerate(incident_ids)
            for s in range(SERVICES_PER_INCIDENT)
        ],
    )
    db.session.execute(
        sa.insert(incident_risks),
        [
            {"incident_id": incident_id, "risk_id": risk_ids[i % RISKS]}
            for i, incident_id in enumerate(incident_ids)
        ],
    )
    db.session.commit()


def timed(client, url: str, runs: int, headers: dict | None = None) -> None:
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    client.get(url, headers=headers)  # warm caches
    event.listen(db.engine, "before_cursor_execute", record)
    timings = []
    for _ in range(runs):
        statements.clear()
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    event.remove(db.engine, "before_cursor_execute", record)
    timings.sort()
    print(
        f"GET {url}: median {statistics.median(timings):.0f} ms, "
        f"p90 {timings[int(len(timings) * 0.9) - 1]:.0f} ms over {runs} runs, "
        f"{len(statements)} SQL queries per request"
    )


def measure(app, runs: int) -> None:
    viewer = db.session.scalar(sa.select(User))
    # Signed in as by the sign-in form: a login session on the server, not only a cookie.
    client = signed_in_client(app, viewer)
    for url in PAGES:
        timed(client, url, runs)
    token = create_token(viewer, "benchmark")[1]
    api = app.test_client()
    timed(api, "/api/v1/incidents?per_page=200", runs, {"Authorization": f"Bearer {token}"})


def add_incidents_to_dashboard_data() -> None:
    """5,000 incidents of the dashboard benchmark's teams over the last 400 days (the latest
    still open), each linked to a risk, every tenth with a follow-up on that risk."""
    now = datetime.now(UTC)
    team_ids = db.session.scalars(sa.select(Team.id).order_by(Team.id)).all()
    risk_ids = db.session.scalars(sa.select(Risk.id).order_by(Risk.id)).all()
    db.session.execute(
        sa.insert(Incident),
        [
            {
                "number": n,
                "title": f"Outage {n}",
                "summary": "Checkout returned errors",
                "severity": SEVERITIES[n % 5],
                "team_id": team_ids[n % len(team_ids)],
                "started_at": now - timedelta(hours=n * 1.92),
                "resolved_at": None if n < 3 else now - timedelta(hours=n * 1.92 - 1),
                "impact_minutes": float(n % 60),
                "review_url": "",
                "review_date": (now - timedelta(hours=n * 1.92)).date() if n % 3 else None,
                "status": STATUSES[n % 4] if n >= 3 else "open",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(1, INCIDENTS + 1)
        ],
    )
    incident_ids = db.session.scalars(sa.select(Incident.id).order_by(Incident.id)).all()
    links = [
        (incident_id, risk_ids[(i * 7) % len(risk_ids)])
        for i, incident_id in enumerate(incident_ids)
    ]
    db.session.execute(
        sa.insert(incident_risks),
        [{"incident_id": incident_id, "risk_id": risk_id} for incident_id, risk_id in links],
    )
    today = now.date()
    db.session.execute(
        sa.insert(Mitigation),
        [
            {
                "risk_id": risk_id,
                "position": 100,
                "title": f"Follow-up of {incident_id}",
                "description": "",
                "team_id": team_ids[i % len(team_ids)],
                "due_date": today + timedelta(days=i % 60 - 20),
                "original_due_date": today + timedelta(days=i % 60 - 20),
                "slip_count": 0,
                "status": "planned",
                "notes": "",
                "follow_jira": True,
                "version": 1,
                "source_incident_id": incident_id,
                "horizon": "short" if i % 20 else "long",
                "created_at": now,
                "updated_at": now,
            }
            for i, (incident_id, risk_id) in enumerate(links)
            if i % 10 == 0
        ],
    )
    work_state.refresh_all()  # rows inserted below the ORM
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def measure_dashboard(database_url: str | None, runs: int) -> None:
    """The dashboard and the error-budget API over the dashboard data plus 5,000 incidents."""
    from bench.dashboard import measure as measure_page
    from bench.dashboard import seeded_app

    with seeded_app(database_url) as app:
        add_incidents_to_dashboard_data()
        print(f"added {INCIDENTS:,} incidents")
        measure_page(app, runs, "/")
        viewer = db.session.scalar(sa.select(User))
        token = create_token(viewer, "benchmark")[1]
        if "api.error_budget" in app.view_functions:
            timed(
                app.test_client(),
                "/api/v1/error-budget",
                runs,
                {"Authorization": f"Bearer {token}"},
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dashboard", action="store_true")
    args = parser.parse_args()
    if args.dashboard:
        measure_dashboard(args.database_url, args.runs)
        return
    from bench.dashboard import seeded_app

    def build() -> str:
        seed()
        return f"{RISKS:,} risks and {INCIDENTS:,} incidents"

    with seeded_app(args.database_url, build) as app:
        measure(app, args.runs)


if __name__ == "__main__":
    main()
