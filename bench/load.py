"""The load run: 32 signed-in users at once, with locust (bench/locustfile.py), in phases
against one server:

1. `/healthz` only: the server's ceiling in requests/s;
2. the dashboard only: its requests/s, as a share of that ceiling;
3. the mix: dashboard, register, My teams and API reads, 5% writes (API PATCHes of the
   users' own teams' risks): requests/s, median and p95 of each.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench import accounts
from bench.server import ROOT, signed_in

USERS = accounts.LOAD_USERS
PHASES = (("healthz", "HealthzUser"), ("dashboard", "DashboardUser"), ("mix", "MixUser"))


def load_users() -> list[dict]:
    """Each load user's email, an API token and risks of their team to write to (in an app
    context)."""
    from tracker.api.tokens import create_token
    from tracker.extensions import db
    from tracker.models import Risk, User

    users = []
    for number in range(1, USERS + 1):
        user = db.session.scalar(sa.select(User).where(User.email == accounts.load_user(number)))
        _, token = create_token(user, "bench load")
        keys = db.session.scalars(
            sa.select(Risk.number)
            .where(Risk.team_id == user.teams[0].id, Risk.archived_at.is_(None))
            .order_by(Risk.number)
            .limit(50)
        ).all()
        users.append({"email": user.email, "token": token, "risks": [f"RISK-{n}" for n in keys]})
    return users


def run(url: str, users: list[dict], seconds: int) -> dict:
    """Sign every user in (through the form, before any phase: the password checks are not
    what is measured), then run every phase for `seconds` each; return their figures."""
    results: dict = {}
    for user in users:
        session = signed_in(url, user["email"])
        user["cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    with tempfile.TemporaryDirectory() as folder:
        setup = Path(folder) / "setup.json"
        setup.write_text(json.dumps({"users": users}))
        for phase, user_class in PHASES:
            prefix = Path(folder) / phase
            done = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(USERS),
                    "--spawn-rate",
                    str(USERS),
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    url,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    user_class,
                ],
                env={**os.environ, "BENCH_LOAD_SETUP": str(setup)},
                cwd=ROOT,
                check=False,
                capture_output=True,
            )
            results[phase] = _read_stats(Path(f"{prefix}_stats.csv"))
            if not results[phase] or any(row["failures"] for row in results[phase].values()):
                print(f"load phase {phase}: locust said\n{done.stderr.decode()[-2000:]}")
    ceiling = results["healthz"].get("/healthz", {}).get("rps", 0)
    dashboard = results["dashboard"].get("dashboard", {}).get("rps", 0)
    results["dashboard_share_of_healthz"] = round(dashboard / ceiling, 3) if ceiling else None
    return results


def _read_stats(path: Path) -> dict:
    """{request name: requests/s, median, p95, count, failures}."""
    figures = {}
    if not path.exists():
        return figures
    with path.open() as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                continue
            figures[row["Name"]] = {
                "rps": round(float(row["Requests/s"]), 1),
                "median_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
            }
    return figures


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def table(results: dict) -> str:
    lines = [f"load, {USERS} users   requests/s   median ms   p95 ms   failures"]
    for phase, _ in PHASES:
        for name, row in results.get(phase, {}).items():
            lines.append(
                f"  {phase + ': ' + name:<34} {row['rps']:>8.1f} {row['median_ms'] or 0:>10.0f} "
                f"{row['p95_ms'] or 0:>8.0f} {row['failures']:>8}"
            )
    lines.append(f"dashboard / healthz requests/s: {results.get('dashboard_share_of_healthz')}")
    return "\n".join(lines)
