"""The mitigations' CSV format, and writing every mitigation in it.

One row per mitigation, keyed by its id (M-12) and its risk's key. Values are written so
that importing the file again changes nothing: the team's slug, the owner's email, dates as
YYYY-MM-DD, empty cells for no value; cells a spreadsheet would run as formulas are protected.
"""

from __future__ import annotations

import re
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Mitigation, Risk
from tracker.spreadsheets import CsvFormat, write_rows

COLUMNS = (
    "id",
    "risk",
    "title",
    "description",
    "team",
    "owner",
    "status",
    "due_date",
    "original_due_date",
    "slip_count",
    "completed_on",
    "notes",
)
MITIGATION_FORMAT = CsvFormat(
    noun="mitigation",
    columns=COLUMNS,
    required=("risk", "title", "team", "due_date"),
    # Kept by the tracker from the history: accepted on import (so an export re-imports).
    read_only=frozenset({"original_due_date", "slip_count", "completed_on"}),
    aliases={
        "mitigation": "id",
        "mitigation id": "id",
        "risk key": "risk",
        "risk id": "risk",
        "name": "title",
        "summary": "title",
        "action": "title",
        "details": "description",
        "owning team": "team",
        "team slug": "team",
        "owner email": "owner",
        "assignee": "owner",
        "state": "status",
        "due": "due_date",
        "due date": "due_date",
        "target date": "due_date",
        "comments": "notes",
    },
)
_ID = re.compile(r"^(?:M-)?(\d{1,9})$", re.IGNORECASE)


def label(mitigation_id: int) -> str:
    """How a mitigation's id is written: M-12."""
    return f"M-{mitigation_id}"


def parse_id(text: str) -> int | None:
    """The id in "M-12" or "12", or None when the text is neither."""
    match = _ID.match(text.strip())
    return int(match.group(1)) if match else None


def export_all(out: TextIO) -> int:
    """Write every mitigation of the risks not archived, by risk and position, to `out`
    (one query); return how many were written."""
    mitigations = db.session.scalars(
        sa.select(Mitigation)
        .join(Mitigation.risk)
        .where(Risk.archived_at.is_(None))
        .order_by(Risk.number, Mitigation.position, Mitigation.id)
        .options(
            joinedload(Mitigation.risk), joinedload(Mitigation.team), joinedload(Mitigation.owner)
        )
    )
    return write_rows(out, COLUMNS, (_values(mitigation) for mitigation in mitigations))


def _values(mitigation: Mitigation) -> list:
    derived = {"id": label(mitigation.id), "risk": mitigation.risk.key}
    return [derived[name] if name in derived else getattr(mitigation, name) for name in COLUMNS]
