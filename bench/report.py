"""Markdown tables of bench.http results beside the targets, for bench/README.md.

python -m bench.report bench/results/http-sqlite-10000.json …
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PAGE_MS, PAGE_KB, CACHED_MS, RSS_MB, SHARE = 100, 200, 10, 200, 0.25


def _column(result: dict) -> str:
    return f"{result['database']} {result['risks'] // 1000}k"


def _mark(ok: bool) -> str:
    return "" if ok else " ✗"


def _queries(page: dict) -> str:
    """The query count, as a range when it varied: a cached page's request that falls on a
    new minute, or follows a write, recomputes the figures."""
    fewest = page.get("queries_min", page["queries"])
    return str(fewest) if fewest == page["queries"] else f"{fewest}–{page['queries']}"


def pages_table(results: list[dict]) -> str:
    heads = " | ".join(_column(r) for r in results)
    lines = [
        f"| page: median / p95 ms, KB, queries | {heads} |",
        "| --- |" + " --- |" * len(results),
    ]
    labels = list(results[0]["pages"])
    for label in labels:
        cells = []
        for result in results:
            page = result["pages"].get(label)
            if page is None:
                cells.append("—")
                continue
            target = CACHED_MS if "in the cache" in label else PAGE_MS
            slow = result["risks"] == 10_000 and page["median_ms"] > target
            big = page["kb"] > PAGE_KB and not label.startswith("GET /api")
            cells.append(
                f"{page['median_ms']:.0f}{_mark(not slow)} / {page['p95_ms']:.0f}, "
                f"{page['kb']:.0f}{_mark(not big)}, {_queries(page)}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    starts = []
    for result in results:
        took = result["start_review"]["median_ms"] / 1000
        starts.append(f"{took:.1f} s")
    lines.append("| starting a review (median of 3) | " + " | ".join(starts) + " |")
    return "\n".join(lines)


def load_table(results: list[dict]) -> str:
    heads = " | ".join(_column(r) for r in results)
    lines = [f"| 32 users: requests/s (p95 ms) | {heads} |", "| --- |" + " --- |" * len(results)]
    rows: dict[str, list[str]] = {}
    for index, result in enumerate(results):
        load = result.get("load", {})
        for phase in ("healthz", "dashboard", "mix"):
            for name, row in load.get(phase, {}).items():
                label = f"{phase} phase: {name}" if phase == "mix" else f"{name} alone"
                cells = rows.setdefault(label, ["—"] * len(results))
                cells[index] = f"{row['rps']:.1f} ({row['p95_ms'] or 0:.0f})"
    for label, cells in rows.items():
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    shares = []
    for result in results:
        share = result.get("load", {}).get("dashboard_share_of_healthz")
        shares.append("—" if share is None else f"{share:.0%}{_mark(share >= SHARE)}")
    lines.append("| dashboard alone ÷ /healthz alone (target ≥ 25%) | " + " | ".join(shares) + " |")
    rss = []
    for result in results:
        memory = result.get("rss_mb_after_load") or result.get("rss_mb_after_pages")
        ok = memory["now_max"] <= RSS_MB
        rss.append(f"{memory['now_max']:.0f} (peak {memory['peak']:.0f}){_mark(ok)}")
    lines.append("| worker RSS after the load, MB (target ≤ 200) | " + " | ".join(rss) + " |")
    return "\n".join(lines)


def conditions(results: list[dict]) -> str:
    return "\n".join(
        f"- {_column(r)}: {r['machine_before']['date']}, commit {r['machine_before']['commit']}, "
        f"cache {r['cache']}, load average {r['machine_before']['load_average']} before and "
        f"{r.get('machine_after', {}).get('load_average')} after"
        for r in results
    )


def main() -> None:
    results = [json.loads(Path(path).read_text()) for path in sys.argv[1:]]
    print(conditions(results), end="\n\n")
    print(pages_table(results), end="\n\n")
    print(load_table(results))


if __name__ == "__main__":
    main()
