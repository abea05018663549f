"""Importing records from a spreadsheet: plan every row, then write all of it or nothing.

A record type's import (tracker/risks/csv_import.py, tracker/mitigations/csv_import.py, …)
reads its file with plan_file (tracker.spreadsheets, at most IMPORT_MAX_ROWS rows), plans each
row with a planner of its own through plan_table, and writes a valid plan through write_plan,
which commits once or rolls back.
A plan holds rows of the database session that made it, so apply it in the same app context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import User
from tracker.spreadsheets import CsvFormat, ImportProblem, Table, read_table
from tracker.validation import ValidationError

# What the history records as the reason for every change an import makes.
IMPORT_REASON = "Imported from CSV"


@dataclass(frozen=True)
class ImportCounts:
    """How many rows of a plan create, update and leave a record unchanged."""

    create: int
    update: int
    unchanged: int


@dataclass
class ImportPlan:
    """Every row's plan, or (when not valid) every problem found in the file."""

    rows: list  # each with .action: "create", "update" or "unchanged"
    errors: list[ImportProblem]
    actor_id: int | None
    # Columns of the file the format read past (see CsvFormat).
    ignored: list[str] = field(default_factory=list)
    # What the import leaves out or adds without refusing the file, said once each.
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> ImportCounts:
        actions = [row.action for row in self.rows]
        return ImportCounts(*(actions.count(a) for a in ("create", "update", "unchanged")))


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: counts by action, and the keys of the new records."""

    created: int
    updated: int
    unchanged: int
    created_keys: list[str]


def plan_table(
    table: Table, make_planner: Callable[[dict[str, str]], object], actor: User | None
) -> ImportPlan:
    """Plan every row of `table` with the planner `make_planner(headers)` builds (its
    .plan(row) gives a planned row or a list of problems); write nothing."""
    plan = ImportPlan(
        rows=[],
        errors=list(table.problems),
        actor_id=actor.id if actor else None,
        ignored=list(table.ignored),
    )
    if table.rows:
        planner = make_planner(table.headers)
        for row in table.rows:
            outcome = planner.plan(row)
            if isinstance(outcome, list):
                plan.errors.extend(outcome)
            else:
                plan.rows.append(outcome)
    plan.errors.sort(key=lambda error: error.line)
    return plan


def plan_file(
    text: str,
    file_format: CsvFormat,
    make_planner: Callable[[dict[str, str]], object],
    actor: User | None,
    *,
    strict: bool = False,
) -> ImportPlan:
    """Read CSV `text` in `file_format` (at most IMPORT_MAX_ROWS rows; with `strict`, refusing
    columns the format does not know) and plan it with plan_table; write nothing."""
    max_rows = current_app.config.get("IMPORT_MAX_ROWS")
    table = read_table(text, file_format, strict=strict, max_rows=max_rows)
    plan = plan_table(table, make_planner, actor)
    if note := file_format.ignored_note(plan.ignored):
        plan.warnings.append(note)
    return plan


def created_changes(values: dict[str, object], display) -> list[tuple[str, None, str]]:
    """What a created record will hold, as (field, None, shown value) for each field with a
    value, for the dry run's Changes column."""
    shown = ((name, display(value)) for name, value in values.items())
    return [(name, None, text) for name, text in shown if text not in (None, "")]


def write_plan(
    plan: ImportPlan, actor: User | None, write: Callable[[], list[str]], records: str
) -> ImportResult:
    """Run `write` (which stages a valid plan and returns the new records' keys), then commit
    once; on any failure roll everything back, so nothing is half-written.

    Raises ValidationError for a plan with errors, planned for another user, or overtaken by
    other changes to the `records` (e.g. "Risks") while it ran.
    """
    if (actor.id if actor else None) != plan.actor_id:
        raise ValidationError.single("actor", "Apply the import as the user who planned it.")
    if not plan.valid:
        raise ValidationError.single(
            "file", f"Fix the {len(plan.errors)} problem(s) in the file; nothing was imported."
        )
    try:
        created_keys = write()
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise ValidationError.single(
            "file", f"{records} changed while the import ran, so nothing was imported; try again."
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    counts = plan.counts
    return ImportResult(counts.create, counts.update, counts.unchanged, created_keys)
