"""Measure the tracker over real HTTP under gunicorn (3 workers), signed in.

    python -m bench.http --risks 10000 [--database URL] [--seed] [--runs 50] [--no-load]
                         [--cache-url redis://127.0.0.1:6379/0] [--only TEXT] [--json PATH]

Serves the register seeded by `python -m bench.seed --risks N` (with --seed, seeds it first)
and, for every page of the table in bench/README.md, sends a few warm-up requests and then
--runs requests one after another (fewer for a page slower than --page-seconds in all):
median and p95 time, bytes and SQL queries per request (X-Query-Count). The dashboard is
measured twice: current in the cache, and with the register's version bumped before every
request (each computes it). Starting a weekly review is timed three times. Then the load run
(bench.load, 32 users) unless --no-load, and the workers' peak memory. Prints a table and
writes JSON (default bench/results/http-<database>-<N>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import accounts, load, seed
from bench.server import ROOT, csrf_token, serving, signed_in

RESULTS = ROOT / "bench" / "results"
WARM_UP = 3


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(session, url: str, *, runs: int, seconds: float, before=None, headers=None) -> dict:
    """Time GETs of `url`: warm-up first, then up to `runs` (at least 5, within `seconds`)."""
    for _ in range(WARM_UP):
        if before:
            before()
        session.get(url, headers=headers, timeout=300)
    times, sizes, queries = [], [], []
    deadline = time.monotonic() + seconds
    while len(times) < runs and (len(times) < 5 or time.monotonic() < deadline):
        if before:
            before()
        started = time.perf_counter()
        answer = session.get(url, headers=headers, timeout=300)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {url}: {answer.status_code}")
        sizes.append(len(answer.content))
        queries.append(int(answer.headers.get("X-Query-Count", -1)))
    return {
        "requests": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "kb": round(statistics.median(sizes) / 1024, 1),
        "queries": max(queries),
        "queries_min": min(queries),
    }


def start_review_times(session, base: str, times: int = 3) -> dict:
    """Start a review and finish it, `times` times; the start's duration each time."""
    took = []
    for _ in range(times):
        token = csrf_token(session.get(f"{base}/reviews", timeout=60).text)
        started = time.perf_counter()
        answer = session.post(f"{base}/reviews", data={"csrf_token": token}, timeout=600)
        took.append((time.perf_counter() - started) * 1000)
        if answer.status_code >= 400 or "/reviews/" not in answer.url:
            raise RuntimeError(f"starting a review: {answer.status_code} {answer.url}")
        session.post(
            f"{answer.url.split('?')[0]}/finish",
            data={"csrf_token": token, "confirmed": "yes", "notes": "Bench."},
            timeout=120,
        )
    return {"requests": times, "median_ms": round(statistics.median(took), 1)}


def _setup(database_url: str) -> dict:
    """A token for the admin, the risk and review to open, and the load run's users."""
    from tracker.api.tokens import create_token
    from tracker.extensions import db
    from tracker.models import Review, Risk, User

    app = seed.bench_app(database_url)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == accounts.ADMIN))
        _, token = create_token(admin, "bench")
        risk = db.session.scalar(
            sa.select(Risk.number).where(Risk.archived_at.is_(None)).order_by(Risk.id).limit(1)
        )
        review = db.session.scalar(sa.select(Review.id).order_by(Review.started_at.desc()))
        users = load.load_users()
        db.session.commit()
        db.engine.dispose()
    return {"token": token, "risk": f"RISK-{risk}", "review": review, "load_users": users}


def pages(setup: dict) -> list[tuple[str, str, bool]]:
    """(label, path, needs the API token)."""
    return [
        ("/healthz", "/healthz", False),
        ("dashboard, current in the cache", "/", False),
        ("dashboard, computed (uncached)", "/", False),
        ("register /risks", "/risks", False),
        ("register by priority", "/risks?sort=priority", False),
        ("risk detail", f"/risks/{setup['risk']}", False),
        ("My teams (the largest team)", "/my-teams", False),
        ("Jira drift", "/jira/drift", False),
        ("weekly review page", f"/reviews/{setup['review']}", False),
        ("roadmap by team", "/roadmap", False),
        ("roadmap by risk", "/roadmap?group=risk", False),
        ("roadmap planning", "/roadmap/planning", False),
        ("roadmap delivery", "/roadmap/delivery", False),
        ("GET /api/v1/risks?per_page=200", "/api/v1/risks?per_page=200", True),
        ("GET /api/v1/dashboard", "/api/v1/dashboard", True),
    ]


def machine() -> dict:
    load1, load5, load15 = os.getloadavg()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": [round(load1, 2), round(load5, 2), round(load15, 2)],
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
    }


def run(args) -> dict:
    url = args.database or seed.default_database(args.risks)
    if args.seed:
        started = time.perf_counter()
        counts = seed.seed_database(url, args.risks)
        print(f"seeded {args.risks:,} risks in {time.perf_counter() - started:.1f} s: {counts}")
    setup = _setup(url)
    engine = sa.create_engine(url)

    def bump_version() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE register_version SET version = version + 1"))

    settings = {}
    if args.cache_url:  # a prefix of this run's own in a Redis others may share
        settings = {"CACHE_URL": args.cache_url, "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex}:"}
    result = {
        "risks": args.risks,
        "database": engine.dialect.name,
        "cache": "redis" if args.cache_url else "memory",
        "machine_before": machine(),
        "pages": {},
    }
    with serving(url, **settings) as server:
        session = signed_in(server.url)
        api = {"Authorization": f"Bearer {setup['token']}"}
        for label, path, needs_token in pages(setup):
            if args.only and args.only not in label:
                continue
            figures = measure(
                session,
                server.url + path,
                runs=args.runs,
                seconds=args.page_seconds,
                before=bump_version if "uncached" in label else None,
                headers=api if needs_token else None,
            )
            result["pages"][label] = figures
            print(_row(label, figures), flush=True)
        if not args.only:
            result["start_review"] = start_review_times(session, server.url, args.review_starts)
            print(_row("starting a review (POST)", result["start_review"]), flush=True)
        result["rss_mb_after_pages"] = server.worker_rss_mb()
        if not (args.no_load or args.only):
            result["load"] = load.run(server.url, setup["load_users"], args.load_seconds)
            result["rss_mb_after_load"] = server.worker_rss_mb()
            print(load.table(result["load"]))
        print(f"worker RSS: {result.get('rss_mb_after_load') or result['rss_mb_after_pages']}")
    engine.dispose()
    if args.cache_url:
        _forget_cached(args.cache_url, settings["CACHE_KEY_PREFIX"])
    result["machine_after"] = machine()
    return result


def _forget_cached(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _row(label: str, figures: dict) -> str:
    return (
        f"{label:<36} {figures['median_ms']:>9.1f} ms  "
        + (f"p95 {figures['p95_ms']:>9.1f} ms  " if "p95_ms" in figures else " " * 18)
        + (
            f"{figures['kb']:>8.1f} KB  {figures['queries']:>3} queries  "
            if "kb" in figures
            else ""
        )
        + f"({figures['requests']} requests)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=1000)
    parser.add_argument("--database", help="SQLAlchemy URL (default instance/bench-<N>.db)")
    parser.add_argument("--seed", action="store_true", help="seed the database first")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--page-seconds", type=float, default=60.0)
    parser.add_argument("--review-starts", type=int, default=3)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument(
        "--only", help="measure only the pages whose label holds this text (no review, no load)"
    )
    parser.add_argument("--load-seconds", type=int, default=20)
    parser.add_argument("--cache-url")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = run(args)
    path = args.json or RESULTS / f"http-{result['database']}-{args.risks}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
