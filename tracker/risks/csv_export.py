"""Writing the risk register as CSV, in the columns of csv_format.COLUMNS.

Values are written so that importing the file again changes nothing: slugs for category and
team, the owner's email, 1–5 for the levels, numbers exactly, empty cells for no value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Risk
from tracker.risks import settings as scoring_settings
from tracker.risks.csv_format import COLUMNS
from tracker.risks.settings import ScoringSettings
from tracker.spreadsheets import write_rows


def export_risks(risks: Iterable[Risk], out: TextIO) -> int:
    """Write the header and one row per risk to `out`; return how many risks were written.

    The caller loads each risk's team, owner, category and tags with it; otherwise every row
    costs queries of its own.
    """
    settings = scoring_settings.current()
    return write_rows(out, COLUMNS, (_values(risk, settings) for risk in risks))


def export_all(out: TextIO) -> int:
    """Write every risk not archived, by number, to `out` (two queries in all)."""
    risks = db.session.scalars(
        sa.select(Risk)
        .where(Risk.archived_at.is_(None))
        .order_by(Risk.number)
        .options(
            joinedload(Risk.team),
            joinedload(Risk.owner),
            joinedload(Risk.category),
            selectinload(Risk.tags),
        )
    )
    return export_risks(risks, out)


def _values(risk: Risk, settings: ScoringSettings) -> list:
    bad_minutes = risk.bad_minutes_per_year
    share = settings.budget_share(bad_minutes)
    # Derived columns are read-only on import, so rounding them loses nothing.
    derived = {
        "band": settings.band(risk.score),
        "tags": risk.tag_names,
        "bad_minutes_per_year": None if bad_minutes is None else f"{bad_minutes:.2f}",
        "budget_share": None if share is None else f"{share:.4f}",
    }
    return [derived[name] if name in derived else getattr(risk, name) for name in COLUMNS]
