"""Spreadsheet (CSV) files of the register's records: a format's columns and the other names a
header may use for them, reading a file into rows of text cells keyed by column, and writing
cells a spreadsheet will not run as formulas.

Each importable record type describes its file once as a CsvFormat (the risks in
tracker/risks/csv_format.py, the incidents in tracker/incidents/csv_format.py); read_table,
the problems it reports and the cell helpers are shared.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cached_property

from tracker.risks import history

# A spreadsheet runs a cell starting with one of these as a formula; see protect().
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _normalise(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower()).strip()


@dataclass(frozen=True)
class CsvFormat:
    """One record type's file: the export's `columns` in order, the `required` ones, the
    `read_only` ones (derived: accepted on import, so an export re-imports, and ignored),
    `aliases`, other header names → the export's name, and whether columns it does not know
    are refused or, for exports of other tools with many columns, `ignore_unknown`."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    read_only: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    ignore_unknown: bool = False

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {_normalise(name): name for name in self.columns}
        return names | {_normalise(alias): name for alias, name in self.aliases.items()}

    def column_for(self, header: str) -> str | None:
        """The export column a header names (any case; spaces, hyphens, underscores alike)."""
        return self._names.get(_normalise(header))

    @property
    def accepted_names(self) -> str:
        names = f"Use the export's column names ({', '.join(self.columns)})"
        return f"{names} or one of {', '.join(self.aliases)}." if self.aliases else f"{names}."


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
    """A file read into rows; `headers` maps each export column to its name in the file, and
    `ignored` names the file's columns a format that ignores unknown ones left out."""

    headers: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


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


def read_table(text: str, file_format: CsvFormat) -> Table:
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
    table = _map_header(names, header_line, file_format)
    if table.problems:
        return table
    named = {index for index, name in enumerate(names) if name.strip()}
    # A column the format ignores maps to None: its cells are read past.
    positions = {index: file_format.column_for(names[index]) for index in named}
    for line, cells in body:
        table.rows.append(_row(line, cells, positions, file_format, table.problems))
    return table


def _records(reader) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted cell may span lines)."""
    records, start = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
        start = reader.line_num + 1
    return records


def _map_header(names: list[str], line: int, file_format: CsvFormat) -> Table:
    table = Table()
    for raw in names:
        name = raw.strip()
        if not name:
            continue  # e.g. a trailing delimiter; _row refuses values under it
        column = file_format.column_for(name)
        if column is None and file_format.ignore_unknown:
            table.ignored.append(name)
        elif column is None:
            message = f"Unknown column {name!r}. {file_format.accepted_names}"
            table.problems.append(ImportProblem(line, name, message))
        elif column in table.headers:
            message = f"{table.headers[column]!r} and {name!r} both give the {column}; keep one."
            table.problems.append(ImportProblem(line, name, message))
        else:
            table.headers[column] = name
    missing = [column for column in file_format.required if column not in table.headers]
    if missing:
        message = f"The file needs the column(s) {', '.join(missing)}."
        table.problems.append(ImportProblem(line, "", message))
    for column in file_format.read_only & table.headers.keys():
        del table.headers[column]
    return table


def _row(
    line: int, cells: list[str], positions: dict[int, str], file_format: CsvFormat, problems: list
) -> Row:
    for index, cell in enumerate(cells):
        if cell.strip() and index not in positions:
            message = f"Cell {index + 1} has a value but its column has no name in the header."
            problems.append(ImportProblem(line, "", message))
    values = {
        column: unprotect(cells[index]) if index < len(cells) else ""
        for index, column in positions.items()
        if column is not None and column not in file_format.read_only
    }
    return Row(line, values)
