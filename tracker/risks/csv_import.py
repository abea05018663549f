"""Importing the risk register from CSV: plan every row, then write all of it or nothing.

plan_import() checks the whole file with the rules of the forms (fields.clean_risk_values)
and says row by row what would happen; apply_import() writes a valid plan in one
transaction. A plan holds rows of the database session that made it, so apply it in the
same app context (the CLI and the import page plan and apply in one request).

A row with a key (RISK-n) updates that risk, and a key this tracker did not issue is an
error; a row without one updates the risk with the same title, or creates a new one (numbered
by the RISK-n series when the import is applied). A row means the same whether
it creates or updates (empty residual levels are the inherent ones, an empty treatment is
mitigate), and columns the file lacks leave those fields alone.
"""

from __future__ import annotations

from itertools import count

from tracker import clock
from tracker.extensions import db
from tracker.imports import ImportPlan, ImportResult, plan_table, write_plan
from tracker.models import Risk, User
from tracker.risks import history, permissions, services
from tracker.risks.csv_format import read_table
from tracker.risks.csv_plan import PlannedRow, RowPlanner, current_value
from tracker.risks.keys import RISK_KEYS
from tracker.validation import PermissionDenied, ValidationError

IMPORT_REASON = "Imported from CSV"


def plan_import(text: str, actor: User | None = None) -> ImportPlan:
    """Check every row of CSV `text` and say what importing it would do; write nothing.

    `actor` None is the tracker itself (the CLI without --as); a manager's rows for other
    teams are errors. Raises PermissionDenied for users who cannot create risks at all.
    """
    _check_may_import(actor)
    return plan_table(read_table(text), lambda headers: RowPlanner(headers, actor), actor)


def _check_may_import(actor: User | None) -> None:
    if actor is not None and not permissions.can_create_risks(actor):
        raise PermissionDenied("Only admins and the managers of a team import risks.")


def apply_import(plan: ImportPlan, actor: User | None) -> ImportResult:
    """Write a valid plan in one transaction and commit once.

    On any failure everything is rolled back, so nothing is half-written. Raises
    ValidationError for a plan with errors, planned for another user, or overtaken by other
    changes; PermissionDenied for users who cannot create risks.
    """
    _check_may_import(actor)
    return write_plan(plan, actor, lambda: _write(plan, actor), "Risks")


def _write(plan: ImportPlan, actor: User | None) -> list[str]:
    """Stage every change of the plan in the session; return the keys of the new risks."""
    creates = sum(1 for row in plan.rows if row.action == "create")
    free = count(RISK_KEYS.allocate(creates)) if creates else None
    created = []
    for row in plan.rows:
        if row.action == "create":
            created.append(_create_risk(row, next(free), actor).key)
        elif row.action == "update":
            _update_risk(row, actor)
    return created


def _create_risk(row: PlannedRow, number: int, actor: User | None) -> Risk:
    now = clock.now()
    risk = Risk(number=number, created_by=actor, updated_by=actor, created_at=now, updated_at=now)
    _assign(risk, row.values)
    services.derive(risk)
    db.session.add(risk)
    history.record(risk, actor, [("created", None, risk.key)], reason=IMPORT_REASON)
    return risk


def _update_risk(row: PlannedRow, actor: User | None) -> None:
    risk = row.risk
    if risk.version != row.version:
        raise ValidationError.single(
            "key", f"{risk.key} changed after the import was planned; import the file again."
        )
    changes = [(name, current_value(risk, name), new) for name, new in row.values.items()]
    if "status" in row.values and risk.status == "accepted":
        # Leaving "accepted" ends the acceptance, as services.change_status does.
        changes += [
            ("accepted_by", risk.accepted_by, None),
            ("acceptance_expires", risk.acceptance_expires, None),
        ]
        risk.accepted_by, risk.acceptance_expires = None, None
    _assign(risk, row.values)
    services.derive(risk)
    risk.updated_by, risk.updated_at = actor, clock.now()
    history.record(risk, actor, changes, reason=IMPORT_REASON)


def _assign(risk: Risk, values: dict[str, object]) -> None:
    # Look the tags up before changing anything: the query flushes the session, and a flush
    # of a half-changed risk would spend a version on it.
    tags = services.tags_named(values["tags"]) if "tags" in values else None
    for name, value in values.items():
        setattr(risk, name, tags if name == "tags" else value)
