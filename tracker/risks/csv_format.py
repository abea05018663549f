"""The risk register's CSV format: its columns, the names a header may use for them, and
reading a file into rows of text cells keyed by column.

The export writes exactly COLUMNS; an import accepts those names or an alias from ALIASES,
matched ignoring case and treating spaces, hyphens and underscores alike.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from tracker.risks import history

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

# A spreadsheet runs a cell starting with one of these as a formula; see protect().
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _normalise(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower()).strip()


_COLUMN_NAMES = {_normalise(name): name for name in COLUMNS} | {
    _normalise(alias): name for alias, name in ALIASES.items()
}
ACCEPTED_NAMES = (
    f"Use the export's column names ({', '.join(COLUMNS)}) or one of {', '.join(ALIASES)}."
)


def column_for(header: str) -> str | None:
    """The export column a header names (any case; spaces, hyphens, underscores alike)."""
    return _COLUMN_NAMES.get(_normalise(header))


def number_text(value: float) -> str:
    """A number as written to a cell: whole numbers without ".0", others exactly (repr)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def display(value) -> str | None:
    """How a value is written to a cell or shown in a plan: None for no value."""
    if isinstance(value, float):
        return number_text(value)
    return history.display_value(value)


def protect(cell: str) -> str:
    """Prefix "'" to a cell a spreadsheet would run as a formula (CSV injection).

    A cell that already starts with quotes before a formula character gets one more, so
    unprotect() gives back exactly what was written.
    """
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def unprotect(cell: str) -> str:
    """Undo protect()."""
    protected = cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS)
    return cell[1:] if protected else cell


@dataclass(frozen=True)
class ImportProblem:
    """Why a file cannot be imported: the line (header = 1), the column as the file names it
    ("" for the file or row as a whole) and what to fix."""

    line: int
    column: str
    message: str


@dataclass(frozen=True)
class Row:
    """One data row: its first line in the file and its cells by export column."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    """A file read into rows; `headers` maps each export column to its name in the file."""

    headers: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def detect_delimiter(text: str) -> str:
    """The delimiter, "," or ";": whichever appears more often in the header line outside quotes.

    csv.Sniffer guesses from a sample and is easily fooled by commas in quoted cells or
    decimal commas, so only the header line decides.
    """
    counts = {",": 0, ";": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def read_table(text: str) -> Table:
    """Read CSV text (with or without BOM, "," or ";") into rows keyed by export column.

    Read-only columns are dropped. File-level problems (no header, unknown or doubled
    columns, missing required columns) leave no rows; row-level ones are listed beside them.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        records = _records(reader)
    except csv.Error as exc:
        problem = ImportProblem(reader.line_num, "", f"This is not valid CSV: {exc}.")
        return Table(problems=[problem])
    if not records:
        return Table(problems=[ImportProblem(1, "", "The file is empty; it needs a header row.")])
    (header_line, names), *body = records
    table = _map_header(names, header_line)
    if table.problems:
        return table
    named = {index for index, name in enumerate(names) if name.strip()}
    positions = {index: column_for(names[index]) for index in named}
    for line, cells in body:
        table.rows.append(_row(line, cells, positions, table.problems))
    return table


def _records(reader) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted cell may span lines)."""
    records, start = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
        start = reader.line_num + 1
    return records


def _map_header(names: list[str], line: int) -> Table:
    table = Table()
    for raw in names:
        name = raw.strip()
        if not name:
            continue  # e.g. a trailing delimiter; _row refuses values under it
        column = column_for(name)
        if column is None:
            message = f"Unknown column {name!r}. {ACCEPTED_NAMES}"
            table.problems.append(ImportProblem(line, name, message))
        elif column in table.headers:
            message = f"{table.headers[column]!r} and {name!r} both give the {column}; keep one."
            table.problems.append(ImportProblem(line, name, message))
        else:
            table.headers[column] = name
    missing = [column for column in REQUIRED_COLUMNS if column not in table.headers]
    if missing:
        message = f"The file needs the column(s) {', '.join(missing)}."
        table.problems.append(ImportProblem(line, "", message))
    for column in READ_ONLY_COLUMNS & table.headers.keys():
        del table.headers[column]
    return table


def _row(line: int, cells: list[str], positions: dict[int, str], problems: list) -> Row:
    for index, cell in enumerate(cells):
        if cell.strip() and index not in positions:
            message = f"Cell {index + 1} has a value but its column has no name in the header."
            problems.append(ImportProblem(line, "", message))
    values = {
        column: unprotect(cells[index]) if index < len(cells) else ""
        for index, column in positions.items()
        if column not in READ_ONLY_COLUMNS
    }
    return Row(line, values)
