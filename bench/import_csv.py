"""Benchmark: how long a CSV import of the risk register takes, and that it grows linearly.

    python -m bench.import_csv [--database-url URL] [--rows 10000] [--big 145000]

Default database: a throw-away SQLite file. With --database-url (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test) that database is emptied and rebuilt.
Prints, for a file of --rows new risks: the time to check it (the dry run) and to import it;
for a file of --big rows: the time to refuse it (over IMPORT_MAX_ROWS) and, with the limit
lifted, to check it — a check that grows linearly takes about big/rows times as long.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests.conftest import drop_everything  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Team  # noqa: E402
from tracker.risks.csv_import import apply_import, plan_import  # noqa: E402

TEAMS = 10
HEADER = [
    "title",
    "description",
    "category",
    "service",
    "team",
    "likelihood",
    "impact",
    "tags",
    "ettd_minutes",
    "ettr_minutes",
    "users_impacted",
    "ettf_days",
]
CATEGORIES = ["infrastructure", "deploy", "dependency", "capacity", "data", "security"]


def register_csv(rows: int) -> str:
    """A file of `rows` new, quantified, tagged risks spread over the teams."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(rows):
        writer.writerow(
            [
                f"Risk {n}: replica lag on shard {n % 97}",
                "Failover takes minutes and nobody is paged until customers complain.",
                CATEGORIES[n % len(CATEGORIES)],
                f"service-{n % 40}",
                f"team-{n % TEAMS}",
                1 + n % 5,
                1 + (n // 5) % 5,
                f"shard-{n % 97}, area-{n % 7}",
                5 + n % 30,
                30 + n % 120,
                0.05,
                90 + n % 300,
            ]
        )
    return out.getvalue()


def timed(action):
    """The action's result and its wall-clock seconds; its CPU seconds go to CPU_SECONDS (on
    a shared machine the wall clock also counts the time spent waiting for a core)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    CPU_SECONDS.append(time.process_time() - cpu)
    return result, time.perf_counter() - start


CPU_SECONDS: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=145_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/import.db"
        drop_everything(url)
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "benchmark" * 4, "SQLALCHEMY_DATABASE_URI": url}
        )
        with app.app_context():
            upgrade()
            db.session.add_all(Team(slug=f"team-{n}", name=f"Team {n}") for n in range(TEAMS))
            db.session.commit()
            text = register_csv(args.rows)
            plan, checked = timed(lambda: plan_import(text))
            assert plan.valid, plan.errors[:3]
            result, written = timed(lambda: apply_import(plan, None))
            check_cpu, write_cpu = CPU_SECONDS[-2:]
            print(f"{args.rows:,} rows ({len(text) / 1e6:.1f} MB): dry run {checked:.1f} s")
            print(
                f"  import {checked + written:.1f} s (check + write; {result.created:,} created;"
                f" CPU {check_cpu:.1f} + {write_cpu:.1f} s)"
            )
            big = register_csv(args.big)
            refused, refusing = timed(lambda: plan_import(big))
            print(f"{args.big:,} rows ({len(big) / 1e6:.1f} MB): refused in {refusing:.2f} s:")
            print(f"  {refused.errors[0].message}")
            app.config["IMPORT_MAX_ROWS"] = args.big
            checked_big, seconds = timed(lambda: plan_import(big))
            assert checked_big.valid, checked_big.errors[:3]
            ratio = seconds / checked
            print(
                f"  checked with the limit lifted in {seconds:.1f} s, CPU {CPU_SECONDS[-1]:.1f} s"
                f" ({ratio:.1f} × the dry run"
            )
            print(f"  of {args.rows:,} rows for {args.big / args.rows:.1f} × the rows)")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
