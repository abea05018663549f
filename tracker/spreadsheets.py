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

from tracker.input_guard import unstorable
from tracker.risks import history

# A spreadsheet runs a cell starting with one of these as a formula; see protect().
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _normalise(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower()).strip()


@dataclass(frozen=True)
class CsvFormat:
    """One record type's file: the export's `columns` in order, the `required` ones, the
    `read_only` ones (derived: accepted on import, so an export re-imports, and ignored),
    `aliases`, other header names → the export's name, `fallbacks`, names read only when the
    file gives that column under no other name (a tool's "Created" beside its "Started at"),
    and the `noun` one row holds.

    Columns a file has that the format does not know are read past and listed once, unless
    the import is strict; a format for exports of other tools with many columns may
    `ignore_unknown` even then."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    read_only: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    ignore_unknown: bool = False
    noun: str = "row"
    fallbacks: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {_normalise(name): name for name in self.columns}
        names |= {_normalise(alias): name for alias, name in self.fallbacks.items()}
        return names | {_normalise(alias): name for alias, name in self.aliases.items()}

    def is_fallback(self, header: str) -> bool:
        """Whether the header is one of the `fallbacks`."""
        normal = _normalise(header)
        return any(_normalise(alias) == normal for alias in self.fallbacks)

    def column_for(self, header: str) -> str | None:
        """The export column a header names (any case; spaces, hyphens, underscores alike)."""
        return self._names.get(_normalise(header))

    @property
    def accepted_names(self) -> str:
        """The columns it reads, said once and compactly (the aliases are documented)."""
        aliases = " and their aliases" if self.aliases else ""
        return f"The columns it reads are {', '.join(self.columns)}{aliases}."

    def ignored_note(self, ignored: list[str]) -> str | None:
        """The one warning that lists the columns an import read past, or None."""
        if not ignored:
            return None
        names = ", ".join(repr(name) for name in ignored)
        return f"Ignored {len(ignored)} column(s) this import does not know: {names}. " + (
            self.accepted_names
        )


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


def write_rows(out, header, rows) -> int:
    """Write `header` and each row of values to `out` as CSV cells a spreadsheet will not run
    (display() of each value, None empty, protect()ed); return how many rows were written."""
    writer = csv.writer(out)
    writer.writerow(header)
    written = 0
    for values in rows:
        writer.writerow([protect(display(value) or "") for value in values])
        written += 1
    return written


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


def read_table(
    text: str, file_format: CsvFormat, *, strict: bool = False, max_rows: int | None = None
) -> Table:
    """Read CSV text (with or without BOM, "," or ";") into rows keyed by export column.

    Columns the format does not know are read past and listed in `ignored`; with `strict`
    they are problems (unless the format ignores unknown columns). Read-only columns are
    dropped. A file of more than `max_rows` data rows is refused as soon as that is clear,
    whatever its size. File-level problems (no header, doubled or missing required columns,
    too many rows) leave no rows; row-level ones are listed beside them.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    limit = None if max_rows is None else max_rows + 1  # + 1: the header
    try:
        records = _records(reader, limit)
    except csv.Error as exc:
        problem = ImportProblem(reader.line_num, "", f"This is not valid CSV: {exc}.")
        return Table(problems=[problem])
    if not records:
        return Table(problems=[ImportProblem(1, "", "The file is empty; it needs a header row.")])
    if limit is not None and len(records) > limit:
        message = (
            f"The file has more than {max_rows:,} {file_format.noun}s; import at most "
            f"{max_rows:,} at a time: split it into smaller files."
        )
        return Table(problems=[ImportProblem(records[-1][0], "", message)])
    (header_line, names), *body = records
    table = _map_header(names, header_line, file_format, strict)
    if table.problems:
        return table
    named = {index for index, name in enumerate(names) if name.strip()}
    # A column the format ignores, or a fallback another name beat, maps to None: its cells
    # are read past.
    positions = {index: _column_at(names[index], table, file_format) for index in named}
    for line, cells in body:
        table.rows.append(_row(line, cells, positions, file_format, table.problems))
    return table


def _records(reader, limit: int | None) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted cell may span lines);
    at most `limit` + 1 of them, enough to tell a file is over the limit."""
    records, start = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
            if limit is not None and len(records) > limit:
                break
        start = reader.line_num + 1
    return records


def _column_at(name: str, table: Table, file_format: CsvFormat) -> str | None:
    column = file_format.column_for(name)
    return column if column is not None and table.headers.get(column) == name.strip() else None


def _map_header(names: list[str], line: int, file_format: CsvFormat, strict: bool) -> Table:
    table = Table()
    refuse_unknown = strict and not file_format.ignore_unknown
    # Fallbacks last, so a column's own name or alias wins over them wherever it stands.
    ordered = sorted(names, key=file_format.is_fallback)
    for raw in ordered:
        name = raw.strip()
        if not name:
            continue  # e.g. a trailing delimiter; _row refuses values under it
        column = file_format.column_for(name)
        if column in table.headers and file_format.is_fallback(name):
            continue
        if column is None and not refuse_unknown:
            table.ignored.append(name)
        elif column is None:
            table.problems.append(ImportProblem(line, name, f"Unknown column {name!r}."))
        elif column in table.headers:
            message = f"{table.headers[column]!r} and {name!r} both give the {column}; keep one."
            table.problems.append(ImportProblem(line, name, message))
        else:
            table.headers[column] = name
    if any(problem.message.startswith("Unknown column") for problem in table.problems):
        table.problems.append(ImportProblem(line, "", file_format.accepted_names))
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
        if column is not None
    }
    for column, value in values.items():
        if problem := unstorable(value):
            message = f"This cell holds {problem}, which cannot be stored; remove it."
            problems.append(ImportProblem(line, column, message))
    return Row(line, values)
