"""Writing incidents as CSV, one row per incident, streamed.

Values are written as the API gives them: slugs for the team, the commander's email, ISO 8601
times in UTC, services and risk keys separated by commas. Cells a spreadsheet would run as a
formula are neutralised (see tracker.spreadsheets.protect); the columns are
csv_format.COLUMNS, which the import reads back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from tracker.domain.incidents import duration_minutes
from tracker.incidents.csv_format import COLUMNS
from tracker.models import Incident
from tracker.spreadsheets import display, protect


def _cells(incident: Incident, now: datetime) -> list[str]:
    derived = {
        "team": incident.team.slug,
        "commander": incident.commander.email if incident.commander else None,
        "services": incident.services,
        "duration_minutes": round(
            duration_minutes(incident.started_at, incident.resolved_at, now), 2
        ),
        "users_impacted": incident.impact_share,
        "risks": [risk.key for risk in incident.risks],
    }
    values = (derived[name] if name in derived else getattr(incident, name) for name in COLUMNS)
    return [protect(display(value) or "") for value in values]


def csv_lines(incidents: Iterable[Incident], now: datetime) -> Iterator[str]:
    """The header, then one CSV line per incident, each as soon as it is read.

    The caller loads each incident's team, commander, services and risks with it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(COLUMNS)
    for incident in incidents:
        yield line(_cells(incident, now))
