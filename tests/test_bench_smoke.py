"""The bench suite still works: a tiny register seeded and one pass over a few pages under
gunicorn. Times are not checked here (the bench suite measures them)."""

from __future__ import annotations

from bench import accounts, http, seed
from bench.server import serving, signed_in


def test_the_bench_seeds_a_register_and_measures_pages_over_http(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    counts = seed.seed_database(url, 50)
    assert counts["risks"] == 50 and counts["teams"] == 40 and counts["reviews"] == 52
    setup = http._setup(url)
    with serving(url, workers=1) as server:
        session = signed_in(server.url, accounts.ADMIN)
        wanted = {
            "dashboard, current in the cache",
            "My teams (the largest team)",
            "roadmap by team",
            "roadmap planning",
            "GET /api/v1/dashboard",
        }
        api = {"Authorization": f"Bearer {setup['token']}"}
        for label, path, needs_token in http.pages(setup):
            if label in wanted:
                figures = http.measure(
                    session,
                    server.url + path,
                    runs=1,
                    seconds=0,
                    headers=api if needs_token else None,
                )
                assert figures["requests"] >= 1 and figures["queries"] > 0, label
