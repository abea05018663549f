"""Importing mitigations from CSV, with the contract of every import (tracker.imports):
plan every row, then write all of it or nothing.

A row with an id (M-12) updates that mitigation, which must be on the row's risk; a row
without one updates the risk's mitigation with the same title, or adds a new one at the end
of the risk's list. A row is cleaned by the rules of the forms (fields.clean_mitigation_values)
and changes a mitigation as an edit would: a moved due date is recorded with the import as its
reason (and a later one counts as a slip), blocking needs a note, done records the
completion date, and the first to start moves an open risk to mitigating.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.imports import (
    IMPORT_REASON,
    ImportPlan,
    ImportResult,
    created_changes,
    plan_file,
    write_plan,
)
from tracker.mitigations import permissions, services
from tracker.mitigations.csv_format import MITIGATION_FORMAT, label, parse_id
from tracker.mitigations.fields import EDITABLE_FIELDS, clean_mitigation_values
from tracker.models import Mitigation, Risk, User
from tracker.risks.fields import Lookups
from tracker.risks.keys import parse_key
from tracker.spreadsheets import ImportProblem, Row, display
from tracker.validation import PermissionDenied, ValidationError


@dataclass(frozen=True)
class PlannedMitigation:
    """What one row does; `changes` lists (field, old, new) as displayed (old None for a new
    mitigation: what it will hold)."""

    line: int
    action: str  # "create", "update" or "unchanged"
    key: str  # M-12, or "new"
    title: str
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    risk: Risk | None = field(default=None, repr=False)
    mitigation: Mitigation | None = field(default=None, repr=False)
    version: int | None = None
    values: dict[str, object] = field(default_factory=dict, repr=False)


def may_import(actor: User | None) -> bool:
    """Admins, and managers of a team (for their teams' work), import mitigations."""
    return actor is None or actor.role == "admin" or (actor.role == "manager" and actor.teams)


def plan_import(text: str, actor: User | None = None, *, strict: bool = False) -> ImportPlan:
    """Check every row of CSV `text` and say what importing it would do; write nothing.

    Raises PermissionDenied for users who cannot import mitigations at all.
    """
    if not may_import(actor):
        raise PermissionDenied("Only admins and the managers of a team import mitigations.")
    return plan_file(
        text, MITIGATION_FORMAT, lambda headers: _Planner(headers, actor), actor, strict=strict
    )


def apply_import(plan: ImportPlan, actor: User | None) -> ImportResult:
    """Write a valid plan in one transaction (see tracker.imports.write_plan)."""
    if not may_import(actor):
        raise PermissionDenied("Only admins and the managers of a team import mitigations.")
    return write_plan(plan, actor, lambda: _write(plan, actor), "Mitigations")


class _Planner:
    """Plans rows against the mitigations as they are, loaded once for the whole file."""

    def __init__(self, headers: dict[str, str], actor: User | None):
        self.headers = headers
        self.actor = actor
        self.lookups = Lookups.load()
        risks = db.session.scalars(sa.select(Risk).options(selectinload(Risk.mitigations)))
        self.risks = {risk.number: risk for risk in risks}
        self.by_id = {m.id: m for risk in self.risks.values() for m in risk.mitigations}
        self.claimed: dict[object, int] = {}

    def plan(self, row: Row) -> PlannedMitigation | list[ImportProblem]:
        problems: list[tuple[str, str]] = []
        risk = self._risk(row, problems)
        mitigation = self._target(row, risk, problems) if risk else None
        values = self._clean(row, problems, creating=mitigation is None)
        if values is not None and risk is not None:
            self._check_rules(mitigation, values, problems)
        if problems:
            return [
                ImportProblem(row.line, self.headers.get(name, name), message)
                for name, message in problems
            ]
        if mitigation is None:
            shown = created_changes(values, display)
            return PlannedMitigation(
                row.line, "create", "new", values["title"], shown, risk=risk, values=values
            )
        return self._update(row, mitigation, values)

    def _risk(self, row: Row, problems: list) -> Risk | None:
        text = row.cells["risk"].strip()
        risk = self.risks.get(parse_key(text) or 0)
        if risk is None:
            problems.append(("risk", f"No risk has the key {text!r}; give a key like RISK-12."))
        elif risk.archived_at is not None:
            problems.append(("risk", f"{risk.key} is archived; an admin restores it first."))
            return None
        return risk

    def _target(self, row: Row, risk: Risk, problems: list) -> Mitigation | None:
        """The mitigation the row updates, or None to add one to the risk."""
        text = row.cells.get("id", "").strip()
        if text:
            mitigation = self.by_id.get(parse_id(text) or 0)
            if mitigation is None:
                message = f"No mitigation {text!r}; leave the id empty to add one."
                problems.append(("id", message))
            elif mitigation.risk_id != risk.id:
                message = f"{label(mitigation.id)} is on {mitigation.risk.key}, not {risk.key}."
                problems.append(("risk", message))
            else:
                self._claim(mitigation.id, label(mitigation.id), row.line, "id", problems)
            return mitigation
        title = row.cells["title"].strip().casefold()
        matches = [m for m in risk.mitigations if m.title.strip().casefold() == title]
        if len(matches) > 1:
            ids = ", ".join(label(m.id) for m in matches)
            problems.append(("title", f"{ids} all have this title; give the id of one."))
            return None
        name = f"{risk.key}'s mitigation {row.cells['title'].strip()!r}"
        self._claim((risk.id, title), name, row.line, "title", problems)
        return matches[0] if matches else None

    def _claim(self, identity, name: str, line: int, column: str, problems: list) -> None:
        """Refuse a second row for one mitigation: which should win is anyone's guess."""
        first = self.claimed.setdefault(identity, line)
        if first != line:
            problems.append((column, f"{name} is also on line {first}; give each one row."))

    def _clean(self, row: Row, problems: list, *, creating: bool) -> dict[str, object] | None:
        """The row's values; for an update only the columns the file has (those it lacks,
        and an empty status, leave the mitigation's as they are)."""
        raw = {name: row.cells[name] for name in EDITABLE_FIELDS if name in row.cells}
        if not raw.get("status", "x").strip():
            del raw["status"]  # planned when new
        try:
            return clean_mitigation_values(raw, self.lookups, creating=creating)
        except ValidationError as exc:
            problems.extend(exc.errors.items())
            return None

    def _check_rules(self, mitigation: Mitigation | None, values: dict, problems: list) -> None:
        actor, team = self.actor, values.get("team")
        if mitigation is None:
            problems.extend(services.new_mitigation_problems(values).items())
        else:
            found = services.edit_problems(mitigation, values, reason=IMPORT_REASON)
            problems.extend(found.items())
        if actor is None:
            return
        if mitigation is not None and not permissions.can_edit(actor, mitigation):
            owner = mitigation.team.slug
            problems.append(("team", f"{label(mitigation.id)} is {owner}'s; change only yours."))
        elif (mitigation is None or team != mitigation.team) and not (
            permissions.can_assign_to(actor, team)
        ):
            problems.append(
                ("team", f"Import mitigations only for your own teams, not {team.slug}.")
            )

    def _update(self, row: Row, mitigation: Mitigation, values: dict) -> PlannedMitigation:
        changed = {
            name: new
            for name, new in values.items()
            if display(getattr(mitigation, name)) != display(new)
        }
        shown = [
            (name, display(getattr(mitigation, name)), display(new))
            for name, new in changed.items()
        ]
        return PlannedMitigation(
            row.line,
            "update" if changed else "unchanged",
            label(mitigation.id),
            mitigation.title,
            shown,
            risk=mitigation.risk,
            mitigation=mitigation,
            version=mitigation.version,
            values=changed,
        )


def _write(plan: ImportPlan, actor: User | None) -> list[str]:
    """Stage every change of the plan in the session; return the ids of the new mitigations."""
    positions = _last_positions({row.risk.id for row in plan.rows if row.action == "create"})
    created = []
    for row in plan.rows:
        if row.action == "create":
            positions[row.risk.id] += 1
            created.append(
                services.stage_new(
                    row.risk,
                    row.values,
                    actor,
                    position=positions[row.risk.id],
                    reason=IMPORT_REASON,
                )
            )
        elif row.action == "update":
            mitigation = row.mitigation
            if mitigation.version != row.version:
                raise ValidationError.single(
                    "id",
                    f"{label(mitigation.id)} changed after the import was planned; "
                    "import the file again.",
                )
            services.apply_changes(mitigation, row.values, actor, reason=IMPORT_REASON)
    db.session.flush()
    return [label(mitigation.id) for mitigation in created]


def _last_positions(risk_ids: set[int]) -> defaultdict[int, int]:
    """The highest position on each of these risks' lists (one query)."""
    rows = db.session.execute(
        sa.select(Mitigation.risk_id, sa.func.max(Mitigation.position))
        .where(Mitigation.risk_id.in_(risk_ids))
        .group_by(Mitigation.risk_id)
    )
    return defaultdict(int, {risk_id: last or 0 for risk_id, last in rows})
