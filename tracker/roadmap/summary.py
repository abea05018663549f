"""The quarter's delivery figures in the short forms a review snapshot and a digest carry."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from tracker.domain.delivery import Figures, Quarter, recent_quarters
from tracker.models import Team
from tracker.roadmap import delivery


def delivery_snapshot(today: date) -> dict:
    """This quarter's figures per team and overall, JSON-ready, frozen into a review."""
    report = delivery.report(recent_quarters(today, 1), today)
    return {
        "quarter": str(report.quarter),
        "teams": [
            {"team": row.team.slug, "name": row.team.name, **asdict(row.latest)}
            for row in report.teams
        ],
        "overall": asdict(report.overall[-1]),
    }


def team_figures(team: Team, today: date) -> tuple[Quarter, Figures]:
    """One team's figures for the current quarter (four queries)."""
    report = delivery.report(recent_quarters(today, 1), today, team)
    return report.quarter, report.teams[0].latest


def delivery_line(figures: Figures | dict) -> str:
    """One line a person reads: "5 due; 3 completed, 2 on time (67%), 1 late (median 4 days);
    1 open past due; 1 blocked"."""
    f = figures if isinstance(figures, dict) else asdict(figures)
    if not f["due"]:
        return "nothing due"
    parts = [f"{f['due']} due", f"{f['completed']} completed"]
    if f["on_time_rate"] is not None:
        parts.append(f"{f['on_time']} on time ({f['on_time_rate']:.0%})")
    if f["late"]:
        median = f["median_days_late"]
        parts.append(f"{f['late']} late (median {median:g} day{'' if median == 1 else 's'})")
    line = ", ".join(parts)
    if f["overdue"]:
        line += f"; {f['overdue']} open past due"
    if f["blocked"]:
        line += f"; {f['blocked']} blocked"
    return line
