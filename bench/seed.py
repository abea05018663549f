"""Build a realistic register for the bench suite, fast.

    python -m bench.seed --risks 10000 [--database URL]

The database (default: the SQLite file instance/bench-<N>.db) is emptied, migrated and filled
with: 40 teams of very different sizes (the largest holds about a tenth of the register), a
manager and a viewer per team, an admin, and the bench's sign-in accounts (bench.accounts);
N risks created over the last year, about 4 mitigations and 2 Jira links per risk, a drift flag
on about one link in eight, a year of history (creation, re-scores, reviews, due-date slips),
an incident for every 25 risks with its linked risks and follow-ups, 52 weeks of dashboard
trend rows, and 52 finished weekly reviews.

Rows go in with bulk INSERTs (explicit ids, then each PostgreSQL sequence is moved past them);
the newest review is started and finished through the tracker's own service, so its snapshot is
what the app freezes, and the 51 before it are copies of it in set-based SQL
(INSERT … SELECT for every table that refers to a review). Then ANALYZE. Deterministic: the
same N gives the same register.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench import accounts  # noqa: E402
from tests.conftest import drop_everything  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import hash_password  # noqa: E402
from tracker.domain import budget, scoring  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.mitigations import work_state  # noqa: E402
from tracker.models import (  # noqa: E402
    Category,
    DriftFlag,
    Incident,
    IncidentService,
    JiraLink,
    JiraTicket,
    Mitigation,
    Review,
    Risk,
    RiskEvent,
    Team,
    User,
    WeeklySnapshot,
    incident_risks,
    team_members,
)

TEAMS = 40
WEEKS = 52
CHUNK = 20_000
RISK_STATUSES = (
    (["open"] * 35)
    + (["mitigating"] * 35)
    + (["accepted"] * 10)
    + (["mitigated"] * 10)
    + (["closed"] * 10)
)
MITIGATION_STATUSES = (
    (["planned"] * 30)
    + (["in_progress"] * 30)
    + (["blocked"] * 5)
    + (["done"] * 30)
    + (["cancelled"] * 5)
)
TICKET_STATES = {
    "planned": ("To Do", "new", "todo"),
    "in_progress": ("In Progress", "indeterminate", "in_progress"),
    "blocked": ("In Progress", "indeterminate", "in_progress"),
    "done": ("Done", "done", "done"),
    "cancelled": ("Done", "done", "cancelled"),
}
SERVICES = ["checkout", "payments-api", "search", "auth", "ledger", "cdn", "queue", "orders"]
WORDS = [
    "database",
    "replica",
    "failover",
    "zone",
    "region",
    "cache",
    "queue",
    "deploy",
    "rollback",
    "certificate",
    "quota",
    "dependency",
    "vendor",
    "capacity",
    "backup",
    "restore",
    "network",
    "DNS",
    "load",
    "balancer",
    "disk",
    "memory",
]


def _team_weights() -> list[float]:
    """Team sizes fall off like a Zipf law: the first team is about 10% of the register."""
    return [1 / (rank + 1) ** 0.8 for rank in range(TEAMS)]


def _title(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {' '.join(rng.sample(WORDS, 4))}"


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _insert(table: sa.Table, rows: Iterable[dict]) -> int:
    rows = list(rows)
    for chunk in _chunks(rows):
        db.session.execute(table.insert(), chunk)
    return len(rows)


class Seeder:
    """One register of `risks` risks, dated back from `now`."""

    def __init__(self, risks: int, now: datetime):
        self.n = risks
        self.now = now
        self.today = now.date()
        self.rng = random.Random(14)  # noqa: S311 (repeatable data, not secrets)
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        self.people()
        self.register()
        self.work()
        self.jira()
        self.history()
        self.incidents()
        self.trend()
        db.session.commit()
        self.reviews()
        return self.counts

    def people(self) -> None:
        password = hash_password(accounts.PASSWORD)
        teams = [
            {"id": i + 1, "slug": f"team-{i + 1:02d}", "name": f"Team {i + 1:02d}"}
            for i in range(TEAMS)
        ]
        self.counts["teams"] = _insert(Team.__table__, teams)
        users, members = [], []
        for email, name, role, team in accounts.everyone(TEAMS):
            users.append(
                {
                    "id": len(users) + 1,
                    "email": email,
                    "display_name": name,
                    "role": role,
                    "password_hash": password,
                    "active": True,
                    "session_token": f"bench-{len(users) + 1}",
                }
            )
            if team is not None:
                members.append({"team_id": team, "user_id": len(users)})
        self.counts["users"] = _insert(User.__table__, users)
        _insert(team_members, members)
        # Each team's first manager owns its risks and work.
        self.managers = {}
        for member in members:
            if users[member["user_id"] - 1]["role"] == "manager":
                self.managers.setdefault(member["team_id"], member["user_id"])
        self.admin_id = 1

    def register(self) -> None:
        rng, today = self.rng, self.today
        categories = db.session.scalars(sa.select(Category.id)).all()
        weights = _team_weights()
        self.risk_team: list[int] = []
        self.risk_status: list[str] = []
        self.risk_created: list[datetime] = []
        rows = []
        for number in range(1, self.n + 1):
            team = rng.choices(range(1, TEAMS + 1), weights)[0]
            likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
            status = rng.choice(RISK_STATUSES)
            residual = rng.random() < 0.75
            res_l = max(1, likelihood - rng.randint(0, 3)) if residual else None
            res_i = max(1, impact - rng.randint(0, 1)) if residual else None
            quantified = rng.random() < 0.6
            ettd, ettr = rng.choice([5, 10, 30, 60]), rng.choice([15, 30, 60, 240])
            share, ettf = rng.choice([0.02, 0.1, 0.3, 1.0]), rng.choice([30, 90, 180, 365, 730])
            minutes = budget.bad_minutes_per_year(ettd, ettr, share, ettf) if quantified else None
            created = self.now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
            accepted = status == "accepted"
            self.risk_team.append(team)
            self.risk_status.append(status)
            self.risk_created.append(created)
            rows.append(
                {
                    "id": number,
                    "number": number,
                    "title": _title(rng, "Risk:"),
                    "description": "What happens, how we would notice, what it costs.",
                    "category_id": rng.choice(categories),
                    "service": rng.choice(SERVICES),
                    "team_id": team,
                    "owner_id": self.managers[team] if rng.random() < 0.95 else None,
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": scoring.score(likelihood, impact),
                    "residual_likelihood": res_l,
                    "residual_impact": res_i,
                    "residual_score": scoring.residual_score(res_l, res_i),
                    "treatment": "accept" if accepted else "mitigate",
                    "status": status,
                    "next_review": today + timedelta(days=rng.randint(-30, 90)),
                    "ettd_minutes": ettd if quantified else None,
                    "ettr_minutes": ettr if quantified else None,
                    "users_impacted": share if quantified else None,
                    "ettf_days": ettf if quantified else None,
                    "bad_minutes_per_year": minutes,
                    "residual_bad_minutes_per_year": minutes / 4 if minutes else None,
                    "accepted_by_id": self.admin_id if accepted else None,
                    "acceptance_expires": today + timedelta(days=rng.randint(1, 180))
                    if accepted
                    else None,
                    "archived_at": self.now - timedelta(days=3) if rng.random() < 0.03 else None,
                    "version": 1 + rng.randint(0, 4),
                    "created_by_id": self.managers[team],
                    "created_at": created,
                    "updated_at": created + (self.now - created) * rng.random(),
                }
            )
        self.counts["risks"] = _insert(Risk.__table__, rows)

    def work(self) -> None:
        rng, today = self.rng, self.today
        rows = []
        self.mitigation_status: list[str] = []
        self.mitigation_risk: list[int] = []
        for risk in range(1, self.n + 1):
            for position in range(rng.choice([1, 2, 3, 4, 4, 5, 5, 6, 6])):
                status = rng.choice(MITIGATION_STATUSES)
                due = today + timedelta(days=rng.randint(-90, 240))
                slips = rng.choice([0, 0, 0, 1, 1, 2, 3])
                team = self.risk_team[risk - 1] if rng.random() < 0.85 else rng.randint(1, TEAMS)
                self.mitigation_status.append(status)
                self.mitigation_risk.append(risk)
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "risk_id": risk,
                        "position": position,
                        "title": _title(rng, "Work:"),
                        "description": "",
                        "owner_id": self.managers[team],
                        "team_id": team,
                        "due_date": due,
                        "original_due_date": due - timedelta(days=14 * slips),
                        "slip_count": slips,
                        "status": status,
                        "completed_on": due - timedelta(days=3) if status == "done" else None,
                        "notes": "Waiting on the vendor's quota increase."
                        if status == "blocked"
                        else "",
                        "follow_jira": rng.random() < 0.5,
                        "version": 1 + slips,
                        "created_at": self.risk_created[risk - 1],
                        "updated_at": self.now - timedelta(days=rng.randint(0, 60)),
                    }
                )
        self.counts["mitigations"] = _insert(Mitigation.__table__, rows)
        # Inserted below the ORM, so the risks' stored work states are worked out here.
        work_state.refresh_all()

    def jira(self) -> None:
        """About two links per risk: most on mitigations, some on the risk itself."""
        rng = self.rng
        tickets, links, flags = [], [], []
        kinds = ["jira_done_mitigation_open", "mitigation_done_ticket_open", "ticket_due_later"]
        kinds += ["ticket_unassigned", "link_broken"]
        mitigations = len(self.mitigation_status)
        for m in range(1, mitigations + 1):
            for _ in range(1 if rng.random() < 0.45 else 0):
                self._ticket(tickets, links, mitigation=m)
            if rng.random() < 0.02:
                self._ticket(tickets, links, mitigation=m)
        while len(links) < 2 * self.n:
            self._ticket(tickets, links, risk=rng.randint(1, self.n))
        for link in links:
            if rng.random() < 0.12:
                mitigation = link["mitigation_id"]
                risk = link["risk_id"] or self.mitigation_risk[mitigation - 1]
                flags.append(
                    {
                        "risk_id": risk,
                        "mitigation_id": mitigation,
                        "ticket_key": tickets[link["ticket_id"] - 1]["key"],
                        "kind": rng.choice(kinds),
                        "detail": "",
                        "first_seen": self.now - timedelta(days=rng.randint(0, 40)),
                    }
                )
        self.counts["jira_tickets"] = _insert(JiraTicket.__table__, tickets)
        self.counts["jira_links"] = _insert(JiraLink.__table__, links)
        self.counts["drift_flags"] = _insert(DriftFlag.__table__, flags)

    def _ticket(self, tickets: list, links: list, *, mitigation=None, risk=None) -> None:
        rng = self.rng
        status = self.mitigation_status[mitigation - 1] if mitigation else "in_progress"
        name, category, state = TICKET_STATES[status]
        number = len(tickets) + 1
        tickets.append(
            {
                "id": number,
                "key": f"OPS-{number}",
                "summary": _title(rng, "Ticket:"),
                "status": name,
                "status_category": category,
                "resolution": "Done" if category == "done" else None,
                "assignee": None if rng.random() < 0.05 else f"Engineer {rng.randint(1, 400)}",
                "due_date": self.today + timedelta(days=rng.randint(-60, 200)),
                "fix_versions": "",
                "updated": self.now - timedelta(hours=rng.randint(1, 2000)),
                "state": state,
                "synced_at": self.now - timedelta(hours=1),
                "broken": False,
            }
        )
        links.append(
            {
                "id": number,
                "ticket_id": number,
                "risk_id": risk,
                "mitigation_id": mitigation,
                "created_at": self.now - timedelta(days=rng.randint(0, 300)),
            }
        )

    def history(self) -> None:
        """A year of events: each risk's creation, a few re-scores and reviews, and each slip."""
        rng, rows = self.rng, []

        def event(risk, at, field, old, new, reason="", mitigation=None, version=1):
            rows.append(
                {
                    "risk_id": risk,
                    "mitigation_id": mitigation,
                    "actor_id": self.managers[self.risk_team[risk - 1]],
                    "at": at,
                    "version": version,
                    "field": field,
                    "old_value": old,
                    "new_value": new,
                    "reason": reason,
                }
            )

        for risk in range(1, self.n + 1):
            created = self.risk_created[risk - 1]
            event(risk, created, "created", None, None)
            for step in range(rng.randint(0, 3)):
                at = created + (self.now - created) * rng.random()
                old, new = rng.randint(1, 5), rng.randint(1, 5)
                event(
                    risk,
                    at,
                    "likelihood",
                    str(old),
                    str(new),
                    "Re-scored in review.",
                    None,
                    2 + step,
                )
            if rng.random() < 0.5:
                event(risk, self.now - timedelta(days=rng.randint(0, 60)), "reviewed", None, None)
        for index, risk in enumerate(self.mitigation_risk):
            if rng.random() < 0.3:
                at = self.now - timedelta(days=rng.randint(0, 365))
                old = self.today + timedelta(days=rng.randint(-120, 120))
                new = old + timedelta(days=14)
                event(
                    risk,
                    at,
                    "due_date",
                    old.isoformat(),
                    new.isoformat(),
                    "Vendor late.",
                    index + 1,
                )
        self.counts["risk_events"] = _insert(RiskEvent.__table__, rows)

    def incidents(self) -> None:
        rng = self.rng
        count = max(1, self.n // 25)
        incidents, services, links = [], [], []
        for number in range(1, count + 1):
            started = self.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
            team = rng.randint(1, TEAMS)
            incidents.append(
                {
                    "id": number,
                    "number": number,
                    "title": _title(rng, "Outage:"),
                    "summary": "",
                    "severity": rng.choice(["sev1", "sev2", "sev2", "sev3", "sev3", "sev4"]),
                    "team_id": team,
                    "commander_id": self.managers[team],
                    "started_at": started,
                    "detected_at": started + timedelta(minutes=5),
                    "resolved_at": started + timedelta(minutes=rng.randint(10, 300)),
                    "impact_minutes": float(rng.randint(1, 120)),
                    "status": "closed",
                    "version": 1,
                    "created_at": started,
                    "updated_at": started,
                }
            )
            services.append({"incident_id": number, "name": rng.choice(SERVICES)})
            for risk in rng.sample(range(1, self.n + 1), min(self.n, rng.randint(1, 3))):
                links.append({"incident_id": number, "risk_id": risk})
        self.counts["incidents"] = _insert(Incident.__table__, incidents)
        _insert(IncidentService.__table__, services)
        _insert(incident_risks, links)
        # Follow-ups: one mitigation in forty comes from an incident's review.
        db.session.execute(
            sa.update(Mitigation.__table__)
            .where(Mitigation.id % 40 == 0)
            .values(source_incident_id=Mitigation.id / 40 % count + 1, horizon="short")
        )

    def trend(self) -> None:
        rows = []
        monday = self.today - timedelta(days=self.today.weekday())
        for scope in ["", *(f"team-{i + 1:02d}" for i in range(TEAMS))]:
            size = self.n * 0.7 / (1 if scope == "" else TEAMS)
            for week in range(1, WEEKS):
                grown = size * (0.6 + 0.4 * (WEEKS - week) / WEEKS)
                rows.append(
                    {
                        "week": monday - timedelta(weeks=week),
                        "scope": scope,
                        "low": int(grown * 0.3),
                        "medium": int(grown * 0.35),
                        "high": int(grown * 0.2),
                        "critical": int(grown * 0.15),
                        "bad_minutes": grown * 3.0,
                        "captured_at": self.now - timedelta(weeks=week),
                    }
                )
        self.counts["weekly_snapshots"] = _insert(WeeklySnapshot.__table__, rows)

    def reviews(self) -> None:
        """Two reviews through the tracker's service (the first finds everything new, the
        second only a week's changes), and 50 copies of the second before them."""
        from tracker.reviews import services as reviews

        admin = db.session.get(User, self.admin_id)
        for _ in range(2):
            newest = reviews.start_review(admin)
            reviews.finish_review(newest, admin, "Weekly review.")
        copies = _copy_review(newest.id, WEEKS - 2, self.now - timedelta(weeks=1))
        self.counts["reviews"] = 2 + copies


def _copy_review(source_id: int, copies: int, now: datetime) -> int:
    """Copy review `source_id` (and every row of a table that refers to it) `copies` times,
    one a week back, in set-based SQL; chain each to the one before."""
    reviews = Review.__table__
    children = [
        (table, fk.parent)
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is reviews and table is not reviews
    ]
    previous = None
    columns = [c for c in reviews.columns if c.name not in ("id",)]
    for week in range(copies, 0, -1):
        values = {
            "started_at": now - timedelta(weeks=week),
            "finished_at": now - timedelta(weeks=week) + timedelta(hours=1),
            "open_slot": None,
            "previous_review_id": previous,
        }
        select = sa.select(
            *[
                sa.literal(values[c.name], c.type).label(c.name) if c.name in values else c
                for c in columns
            ]
        ).where(reviews.c.id == source_id)
        new_id = db.session.execute(
            reviews.insert().from_select([c.name for c in columns], select).returning(reviews.c.id)
        ).scalar_one()
        for table, fk_column in children:
            others = [c for c in table.columns if c is not fk_column and not _is_serial(c)]
            db.session.execute(
                table.insert().from_select(
                    [fk_column.name, *[c.name for c in others]],
                    sa.select(sa.literal(new_id).label(fk_column.name), *others).where(
                        fk_column == source_id
                    ),
                )
            )
        previous = new_id
    db.session.execute(
        sa.update(reviews).where(reviews.c.id == source_id).values(previous_review_id=previous)
    )
    db.session.commit()
    return copies


def _is_serial(column: sa.Column) -> bool:
    return column.primary_key and isinstance(column.type, sa.Integer) and column.name == "id"


def _advance_sequences() -> None:
    """After inserts with explicit ids, move PostgreSQL's sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and isinstance(table.c.id.type, sa.Integer):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                )
            )
    db.session.commit()


def default_database(risks: int) -> str:
    return f"sqlite:///{ROOT / 'instance' / f'bench-{risks}.db'}"


def bench_app(database_url: str, **settings) -> Flask:
    """The app the bench suite seeds and measures with (production-like, no CSRF changes)."""
    return create_app(
        {
            "TESTING": False,
            "TRACKER_ENV": "development",
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            **settings,
        }
    )


def seed_database(database_url: str, risks: int) -> dict[str, int]:
    """Empty `database_url`, migrate it and seed `risks` risks; return the row counts."""
    drop_everything(database_url)
    app = bench_app(database_url)
    with app.app_context():
        upgrade()
        counts = Seeder(risks, datetime.now(UTC)).run()
        _advance_sequences()
        # Fresh bulk-loaded tables have no planner statistics until autovacuum runs.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, required=True)
    parser.add_argument("--database", help="SQLAlchemy URL (default instance/bench-<N>.db)")
    args = parser.parse_args(argv)
    url = args.database or default_database(args.risks)
    started = time.perf_counter()
    counts = seed_database(url, args.risks)
    took = time.perf_counter() - started
    print(
        f"{url.split('://')[0]}: seeded in {took:.1f} s: "
        + ", ".join(f"{n:,} {name}" for name, n in counts.items())
    )


if __name__ == "__main__":
    main()
