"""The risk register's CSV format: its columns and the names a header may use for them.

The export writes exactly COLUMNS; an import accepts those names or an alias from ALIASES,
matched ignoring case and treating spaces, hyphens and underscores alike. Reading and the cell
helpers are tracker.spreadsheets', shared with the other imports.
"""

from __future__ import annotations

from tracker.spreadsheets import (  # noqa: F401 (the risk import's names for them)
    CsvFormat,
    ImportProblem,
    Row,
    Table,
    display,
    number_text,
    protect,
    unprotect,
)
from tracker.spreadsheets import read_table as read_any_table

COLUMNS = (
    "key",
    "title",
    "description",
    "category",
    "service",
    "team",
    "owner",
    "likelihood",
    "impact",
    "score",
    "band",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "treatment",
    "status",
    "next_review",
    "tags",
    "ettd_minutes",
    "ettr_minutes",
    "users_impacted",
    "ettf_days",
    "bad_minutes_per_year",
    "budget_share",
    "residual_bad_minutes_per_year",
)
# Derived by the tracker: accepted on import (so an export re-imports) and ignored.
READ_ONLY_COLUMNS = frozenset(
    {"score", "band", "residual_score", "bad_minutes_per_year", "budget_share"}
)
REQUIRED_COLUMNS = ("title", "category", "team", "likelihood", "impact")

# Other names spreadsheets use for the columns, each → the export's name.
ALIASES = {
    "id": "key",
    "risk id": "key",
    "risk key": "key",
    "name": "title",
    "risk": "title",
    "risk title": "title",
    "risk name": "title",
    "summary": "title",
    "details": "description",
    "risk description": "description",
    "type": "category",
    "risk category": "category",
    "risk type": "category",
    "affected service": "service",
    "component": "service",
    "system": "service",
    "owning team": "team",
    "team slug": "team",
    "owner email": "owner",
    "risk owner": "owner",
    "probability": "likelihood",
    "likelihood score": "likelihood",
    "severity": "impact",
    "consequence": "impact",
    "impact score": "impact",
    "residual probability": "residual_likelihood",
    "target likelihood": "residual_likelihood",
    "residual severity": "residual_impact",
    "target impact": "residual_impact",
    "response": "treatment",
    "treatment strategy": "treatment",
    "state": "status",
    "review date": "next_review",
    "next review date": "next_review",
    "labels": "tags",
    "keywords": "tags",
    "ettd": "ettd_minutes",
    "time to detect": "ettd_minutes",
    "ettd (min)": "ettd_minutes",
    "ettr": "ettr_minutes",
    "time to repair": "ettr_minutes",
    "ettr (min)": "ettr_minutes",
    "users affected": "users_impacted",
    "impact share": "users_impacted",
    "% users": "users_impacted",
    "ettf": "ettf_days",
    "time between failures": "ettf_days",
    "mtbf days": "ettf_days",
    "ettf (days)": "ettf_days",
    "mtbf (days)": "ettf_days",
    "risk score": "score",
    "bad minutes": "bad_minutes_per_year",
}

RISK_FORMAT = CsvFormat(COLUMNS, REQUIRED_COLUMNS, READ_ONLY_COLUMNS, ALIASES, noun="risk")
ACCEPTED_NAMES = RISK_FORMAT.accepted_names


def column_for(header: str) -> str | None:
    """The risk column a header names (any case; spaces, hyphens, underscores alike)."""
    return RISK_FORMAT.column_for(header)


def read_table(text: str) -> Table:
    """Read a risk register file; see tracker.spreadsheets.read_table."""
    return read_any_table(text, RISK_FORMAT)
