"""Benchmark: the register's first page with 10,000 risks, and the database's plan for it.

    python -m bench.register [--database-url URL] [--runs 30] [--sort -score]

Seeds the data of bench/dashboard.py. Prints the median request time of GET /risks in
the given sort, the SQL queries per request, the plan of the page's query (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite) and whether it walks one of the register's indexes
instead of sorting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.dashboard import measure, seeded_app  # noqa: E402
from tracker import clock  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.risks import queries  # noqa: E402
from tracker.risks import settings as scoring_settings  # noqa: E402


def explain(sort: str, per_page: int) -> list[str]:
    """PostgreSQL's plan for the rows of the register's first page in this sort."""
    view = queries.RegisterFilter.from_args({"sort": sort})
    query = queries.filtered(view, scoring_settings.current(), clock.today(), 14).limit(per_page)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        return list(db.session.execute(sa.text(f"EXPLAIN ANALYZE {sql}")).scalars())
    return [row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sort", default="-score")
    args = parser.parse_args()
    with seeded_app(args.database_url) as app:
        measure(app, args.runs, f"/risks?sort={args.sort}")
        plan = "\n".join(explain(args.sort, app.config["RISKS_PER_PAGE"]))
        print(plan)
        used = [
            name
            for name in ("ix_risks_register_by_score", "ix_risks_register_by_residual")
            if name in plan
        ]
        print(f"register index used: {', '.join(used) or 'none'}")


if __name__ == "__main__":
    main()
