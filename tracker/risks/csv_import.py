"""Importing the risk register from CSV: plan every row, then write all of it or nothing.

plan_import() checks the whole file with the rules of the forms (fields.clean_risk_values)
and says row by row what would happen; apply_import() writes a valid plan in one
transaction (tracker.imports keeps that contract for every import).

A row with a key (RISK-n) updates that risk, and a key this tracker did not issue is an
error; a row without one updates the risk with the same title, or creates a new one (numbered
by the RISK-n series when the import is applied). A row means the same whether
it creates or updates (empty residual levels are "not assessed", an empty treatment is
mitigate), and columns the file lacks leave those fields alone.
"""

from __future__ import annotations

from tracker import clock
from tracker.extensions import db
from tracker.imports import IMPORT_REASON, ImportPlan, ImportResult, plan_file, write_plan
from tracker.models import Risk, Tag, User
from tracker.risks import bulk_create, history, permissions, services
from tracker.risks.csv_format import RISK_FORMAT
from tracker.risks.csv_plan import PlannedRow, RowPlanner, current_value
from tracker.risks.keys import RISK_KEYS
from tracker.validation import PermissionDenied, ValidationError

__all__ = ["IMPORT_REASON", "ImportPlan", "ImportResult", "apply_import", "plan_import"]


def plan_import(
    text: str, actor: User | None = None, *, strict: bool = False, create_teams: bool = False
) -> ImportPlan:
    """Check every row of CSV `text` and say what importing it would do; write nothing.

    `actor` None is the tracker itself (the CLI without --as); a manager's rows for other
    teams are errors. Columns the import does not know are a warning, or with `strict`
    errors. With `create_teams`, team slugs no team has yet name teams the import creates
    (admins only). Raises PermissionDenied for users who cannot create risks (or teams).
    """
    _check_may_import(actor)
    if create_teams and actor is not None and actor.role != "admin":
        raise PermissionDenied("Only admins create teams; ask one, or leave that option off.")
    planners: list[RowPlanner] = []

    def make_planner(headers: dict[str, str]) -> RowPlanner:
        planners.append(RowPlanner(headers, actor, create_teams=create_teams))
        return planners[0]

    plan = plan_file(text, RISK_FORMAT, make_planner, actor, strict=strict)
    if planners and (new_teams := planners[0].new_teams()):
        plan.warnings.append(f"Creates the team(s) {', '.join(team.slug for team in new_teams)}.")
    return plan


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
    """Stage every change of the plan in the session; return the keys of the new risks.

    Updated risks go through the session, each with its version check; new risks, their tags
    and their history go in with a statement per table (tracker.risks.bulk_create). One flush
    for the whole file rather than one per row, which made big imports slow.
    """
    creates = [row for row in plan.rows if row.action == "create"]
    first = RISK_KEYS.allocate(len(creates)) if creates else None
    tags = _tags_for(plan.rows)
    staged = [_update_risk(row, actor, tags) for row in plan.rows if row.action == "update"]
    bulk_create.stage_new_rows(creates, tags)
    db.session.flush()
    for risk, changes in staged:
        history.record(risk, actor, changes, reason=IMPORT_REASON, flush=False)
    if not creates:
        return []
    values = [row.values for row in creates]
    return bulk_create.insert_risks(values, first, actor, IMPORT_REASON, tags)


def _tags_for(rows: list[PlannedRow]) -> dict[str, Tag]:
    """Every tag the rows set, by name: existing ones loaded in one query, new ones made once
    (two rows naming a new tag share it)."""
    names = sorted({name for row in rows for name in row.values.get("tags") or ()})
    return {tag.name: tag for tag in services.tags_named(names)}


def _update_risk(row: PlannedRow, actor: User | None, tags: dict[str, Tag]):
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
    _assign(risk, row.values, tags)
    services.derive(risk)
    risk.updated_by, risk.updated_at = actor, clock.now()
    return risk, changes


def _assign(risk: Risk, values: dict[str, object], tags: dict[str, Tag]) -> None:
    with db.session.no_autoflush:
        for name, value in values.items():
            setattr(risk, name, [tags[tag] for tag in value] if name == "tags" else value)
