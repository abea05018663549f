"""The planning list as CSV and Markdown, streamed page by page, for a planning document."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tracker import markdown_text as md
from tracker.domain.delivery import Quarter
from tracker.links import external_url
from tracker.models import Team
from tracker.risks.csv_format import protect
from tracker.risks.settings import ScoringSettings
from tracker.roadmap import planning

CHUNK = 500
CSV_COLUMNS = (
    "rank",
    "risk",
    "title",
    "team",
    "owner",
    "score",
    "status",
    "reasons",
    "bad_minutes_per_year",
    "residual_bad_minutes_per_year",
    "minutes_saved_per_year",
)


def planning_rows(
    quarter: Quarter, settings: ScoringSettings, team_id: int | None
) -> Iterator[planning.PlanningItem]:
    """Every row of the planning list, ranked once and read CHUNK risks at a time so memory
    stays bounded."""
    ranking = planning.ranked(quarter, settings, team_id)
    for start in range(0, len(ranking), CHUNK):
        yield from planning.items_of(ranking[start : start + CHUNK])


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _values(rank: int, item: planning.PlanningItem) -> list[str]:
    risk = item.risk
    return [
        str(rank),
        risk.key,
        risk.title,
        risk.team.slug,
        risk.owner.email if risk.owner else "",
        str(risk.score),
        risk.status,
        "; ".join(planning.REASONS[reason] for reason in item.reasons),
        _minutes(item.bad_minutes),
        _minutes(risk.residual_bad_minutes_per_year),
        _minutes(item.minutes_saved),
    ]


def planning_csv(rows: Iterator[planning.PlanningItem]) -> Iterator[str]:
    """CSV lines, header first; cells that a spreadsheet would run as formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for rank, item in enumerate(rows, start=1):
        writer.writerow([protect(value) for value in _values(rank, item)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def planning_markdown(
    rows: Iterator[planning.PlanningItem],
    quarter: Quarter,
    team: Team | None,
) -> Iterator[str]:
    """A Markdown heading and table; risk keys link to the tracker when PUBLIC_URL is set."""
    scope = f"{md.inline(team.name)} — " if team else ""
    yield f"# {scope}Availability work to plan for {quarter}\n\n"
    yield (
        "Ranked by the bad minutes a year the work would save, then by expected bad minutes.\n\n"
        "| # | Risk | Title | Team | Why | Bad min/yr | Saved min/yr |\n"
        "| ---: | --- | --- | --- | --- | ---: | ---: |\n"
    )
    empty = True
    for rank, item in enumerate(rows, start=1):
        empty = False
        risk = item.risk
        url = external_url("risks.detail", key=risk.key)
        key = f"[{risk.key}]({url})" if url else risk.key
        reasons = "; ".join(planning.REASONS[reason] for reason in item.reasons)
        yield (
            f"| {rank} | {key} | {md.cell(risk.title)} | {md.cell(risk.team.name)} "
            f"| {reasons} | {_minutes(item.bad_minutes) or '—'} "
            f"| {_minutes(item.minutes_saved) or '—'} |\n"
        )
    if empty:
        yield "| | | Nothing to plan: no risk meets a reason. | | | | |\n"
