"""Importing incidents from CSV: plan every row, then write all of it or nothing
(tracker.imports keeps that contract for every import).

A row with a key (INC-n) updates that incident, and a key this tracker did not issue is an
error; a row without one updates the incident with the same title and start, or records a
new one (numbered by the INC-n series when the import is applied). Columns the file lacks
leave those fields alone; a risks column sets exactly the risks the incident materialised.
Every change is in the incident's history with the import as its reason.
"""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm.attributes import flag_modified

from tracker import clock
from tracker.extensions import db
from tracker.imports import IMPORT_REASON, ImportPlan, ImportResult, plan_file, write_plan
from tracker.incidents import history, permissions, services
from tracker.incidents.csv_format import INCIDENT_FORMAT
from tracker.incidents.csv_plan import IncidentRowPlanner, PlannedIncident
from tracker.incidents.keys import INCIDENT_KEYS
from tracker.models import Incident, User
from tracker.validation import PermissionDenied, ValidationError

REFUSED = "Only admins and the managers of a team import incidents."


def may_import(actor: User | None) -> bool:
    """Who records incidents imports them: admins, and managers for their own teams."""
    return actor is None or permissions.can_report(actor)


def plan_import(text: str, actor: User | None = None, *, strict: bool = False) -> ImportPlan:
    """Check every row of CSV `text` and say what importing it would do; write nothing.

    `actor` None is the tracker itself (the CLI without --as); a manager's rows for other
    teams are errors. Columns the import does not know are a warning, or with `strict`
    errors. Raises PermissionDenied for users who cannot record incidents.
    """
    if not may_import(actor):
        raise PermissionDenied(REFUSED)
    return plan_file(
        text,
        INCIDENT_FORMAT,
        lambda headers: IncidentRowPlanner(headers, actor),
        actor,
        strict=strict,
    )


def apply_import(plan: ImportPlan, actor: User | None) -> ImportResult:
    """Write a valid plan in one transaction and commit once (see tracker.imports.write_plan).

    Raises ValidationError for a plan with errors, planned for another user, or overtaken by
    other changes; PermissionDenied for users who cannot record incidents.
    """
    if not may_import(actor):
        raise PermissionDenied(REFUSED)
    return write_plan(plan, actor, lambda: _write(plan, actor), "Incidents")


def _write(plan: ImportPlan, actor: User | None) -> list[str]:
    """Stage every change of the plan, flush once, then record the history; return the keys
    of the new incidents."""
    creates = sum(1 for row in plan.rows if row.action == "create")
    numbers = count(INCIDENT_KEYS.allocate(creates)) if creates else None
    staged, created = [], []
    for row in plan.rows:
        if row.action == "create":
            staged.append(_create(row, next(numbers), actor))
            created.append(staged[-1][0])
        elif row.action == "update":
            staged.append(_update(row, actor))
    db.session.flush()
    for incident, changes in staged:
        history.record(incident, actor, changes, reason=IMPORT_REASON, flush=False)
    return [incident.key for incident in created]


def _create(row: PlannedIncident, number: int, actor: User | None):
    now = clock.now()
    incident = Incident(
        number=number, created_by=actor, updated_by=actor, created_at=now, updated_at=now
    )
    services.apply_values(incident, row.values, row.services or [])
    incident.risks = list(row.risks or [])
    db.session.add(incident)
    links = [("linked_risk", None, risk.key) for risk in incident.risks]
    return incident, [("created", None, incident.key), *links]


def _update(row: PlannedIncident, actor: User | None):
    incident = row.incident
    if incident.version != row.version:
        raise ValidationError.single(
            "key", f"{incident.key} changed after the import was planned; import the file again."
        )
    changes = services.apply_values(incident, row.values, row.services)
    if row.risks is not None:
        old = list(incident.risks)
        changes += [("unlinked_risk", risk.key, None) for risk in old if risk not in row.risks]
        changes += [("linked_risk", None, risk.key) for risk in row.risks if risk not in old]
        incident.risks = list(row.risks)
    incident.updated_by, incident.updated_at = actor, clock.now()
    flag_modified(incident, "updated_at")
    return incident, changes
