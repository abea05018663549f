"""Use cases for mitigations: add, change, quick-update, reorder.

Every change is recorded in the risk's history; moving a due date needs a reason and counts a
slip when it moves later; the first mitigation to start moves an open risk to mitigating.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker import clock
from tracker.database import lock_row
from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.mitigations import permissions
from tracker.mitigations.fields import NOTE_MAX, clean_mitigation_values
from tracker.models import Incident, Mitigation, Risk, User
from tracker.risks import history
from tracker.risks import permissions as risk_permissions
from tracker.risks.fields import Lookups
from tracker.validation import PermissionDenied, StaleVersion, ValidationError


def add_mitigation(risk: Risk, raw: Mapping[str, object], actor: User | None) -> Mitigation:
    """Add a mitigation at the end of the risk's list."""
    if actor is not None and not permissions.can_add_to(actor, risk):
        raise PermissionDenied("Only admins and managers add mitigations.")
    if risk.archived_at is not None:
        raise ValidationError.single("title", "The risk is archived; an admin restores it first.")
    clean = clean_mitigation_values(raw, Lookups.load(), creating=True)
    if actor is not None and not permissions.can_assign_to(actor, clean["team"]):
        raise ValidationError.single("team", "You can add mitigations only for your own teams.")
    problems = new_mitigation_problems(clean) | follow_up_problems(
        risk, clean.get("source_incident"), clean.get("horizon")
    )
    if problems:
        raise ValidationError(problems)
    last = db.session.scalar(
        sa.select(sa.func.max(Mitigation.position)).where(Mitigation.risk_id == risk.id)
    )
    mitigation = stage_new(risk, clean, actor, position=(last or 0) + 1)
    db.session.commit()
    return mitigation


def new_mitigation_problems(clean: Mapping[str, object]) -> dict[str, str]:
    """What a new mitigation with these cleaned values breaks (e.g. blocked with no note)."""
    return rules.change_problems(
        "planned", clean["status"], old_due=None, new_due=None, note=clean.get("notes", "")
    )


def stage_new(
    risk: Risk, clean: Mapping[str, object], actor: User | None, *, position: int, reason=""
) -> Mitigation:
    """Add a valid new mitigation to the session, with its history and the risk's start,
    without committing (the CSV import stages many in one transaction)."""
    mitigation = Mitigation(
        risk=risk,
        position=position,
        original_due_date=clean["due_date"],
        completed_on=rules.completed_on("planned", clean["status"], None, clock.today()),
        created_by=actor,
        updated_by=actor,
        created_at=clock.now(),
        updated_at=clock.now(),
        **clean,
    )
    db.session.add(mitigation)
    history.record(
        risk, actor, [("mitigation", None, "added")], reason=reason, mitigation=mitigation
    )
    _start_risk_if_first(risk, "planned", mitigation, actor)
    return mitigation


def update_mitigation(
    mitigation: Mitigation,
    raw: Mapping[str, object],
    actor: User | None,
    *,
    expected_version: int | None,
    reason: str = "",
    note: str = "",
) -> list[tuple[str, object, object]]:
    """Change the fields present in `raw` and/or add a dated `note`; return what changed.

    Refuses a stale version (StaleVersion), a moved due date without a reason, and blocking
    without a note saying on what.
    """
    if actor is not None and not permissions.can_edit(actor, mitigation):
        raise PermissionDenied(risk_permissions.refusal(actor, mitigation.team, mitigation.label))
    if mitigation.risk.archived_at is not None:
        raise ValidationError.single("status", "The risk is archived; an admin restores it first.")
    if expected_version is not None and expected_version != mitigation.version:
        raise StaleVersion(
            mitigation.risk,
            history.changes_since(mitigation.risk, expected_version, mitigation),
        )
    clean = clean_mitigation_values(raw, Lookups.load(), creating=False)
    moves_team = "team" in clean and clean["team"] != mitigation.team
    if actor is not None and moves_team and not permissions.can_assign_to(actor, clean["team"]):
        raise ValidationError.single("team", "You can move mitigations only to your own teams.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError.single("note", f"Use at most {NOTE_MAX} characters for a note.")
    if "source_incident" in clean and clean["source_incident"] is None:
        # Clearing the source ends the follow-up: its horizon goes with it.
        clean.setdefault("horizon", None)
    problems = edit_problems(mitigation, clean, reason=reason, note=note)
    if problems:
        raise ValidationError(problems)
    return _apply_and_commit(mitigation, clean, actor, reason=reason, note=note)


def edit_problems(
    mitigation: Mitigation, clean: Mapping[str, object], *, reason: str, note: str = ""
) -> dict[str, str]:
    """What stops these cleaned changes (and a dated `note`) to the mitigation, by field: a
    moved due date without a reason, blocking without a note (new notes count as one)."""
    new_notes = clean.get("notes", mitigation.notes)
    wrote_note = note or (new_notes != mitigation.notes and new_notes)
    return rules.change_problems(
        mitigation.status,
        clean.get("status", mitigation.status),
        old_due=mitigation.due_date,
        new_due=clean.get("due_date"),
        reason=reason,
        note=wrote_note or "",
    ) | follow_up_problems(
        mitigation.risk,
        clean.get("source_incident", mitigation.source_incident),
        clean.get("horizon", mitigation.horizon),
    )


def follow_up_problems(risk: Risk, source: Incident | None, horizon: str | None) -> dict:
    """What is wrong with a mitigation's source incident and horizon, by field.

    A follow-up belongs to a risk the incident materialised, and says its horizon; a horizon
    without a source incident means nothing.
    """
    if source is None:
        if horizon is not None:
            return {"horizon": "A horizon belongs to an incident's follow-up; give the incident."}
        return {}
    problems = {}
    if horizon is None:
        problems["horizon"] = (
            "Say whether the follow-up is an action item (short) or a strategic change (long)."
        )
    if risk not in source.risks:
        problems["source_incident"] = (
            f"{source.key} is not linked to {risk.key}; link the risk on the incident first."
        )
    return problems


def _apply_and_commit(mitigation, clean, actor, *, reason: str, note: str):
    version_read = mitigation.version
    try:
        changes = apply_changes(mitigation, clean, actor, reason=reason, note=note)
        if not changes:
            db.session.rollback()
            return []
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(
            mitigation.risk, history.changes_since(mitigation.risk, version_read, mitigation)
        ) from None
    return changes


def apply_changes(
    mitigation: Mitigation,
    clean: Mapping[str, object],
    actor: User | None,
    *,
    reason: str,
    note: str = "",
) -> list[tuple[str, object, object]]:
    """Set cleaned values, keep the derived fields (completion date, slips, the risk's status)
    right and record the history — without committing, so the Jira sync can apply a whole
    batch in one transaction. Returns what changed."""
    old_status = mitigation.status
    changes = set_values(mitigation, clean, actor, note=note)
    if not changes:
        return []
    history.record(
        mitigation.risk, actor, without_note_text(changes), reason=reason, mitigation=mitigation
    )
    _start_risk_if_first(mitigation.risk, old_status, mitigation, actor)
    return changes


def set_values(
    mitigation: Mitigation, clean: Mapping[str, object], actor: User | None, *, note: str = ""
) -> list[tuple[str, object, object]]:
    """The first half of apply_changes: set the values and the fields derived from them,
    recording nothing; returns what changed (the history to record)."""
    old_status, old_due = mitigation.status, mitigation.due_date
    changes = []
    with db.session.no_autoflush:
        for name, value in clean.items():
            old = getattr(mitigation, name)
            if history.display_value(old) != history.display_value(value):
                changes.append((name, old, value))
                setattr(mitigation, name, value)
    if "status" in clean:
        completed = rules.completed_on(
            old_status, mitigation.status, mitigation.completed_on, clock.today()
        )
        if completed != mitigation.completed_on:
            changes.append(("completed_on", mitigation.completed_on, completed))
            mitigation.completed_on = completed
    if rules.is_slip(old_due, mitigation.due_date):
        mitigation.slip_count += 1
    if note:
        stamp = f"{clock.today().isoformat()} {actor.display_name if actor else 'Risk Tracker'}"
        mitigation.notes = f"{mitigation.notes}\n{stamp}: {note}".strip()
        changes.append(("note", None, note))
    if not changes:
        return []
    mitigation.updated_by = actor
    mitigation.updated_at = clock.now()
    return changes


def without_note_text(changes):
    """The changes as history shows them: a note added, not the whole notes text twice."""
    return [
        ("notes", "…", "edited") if name == "notes" else (name, old, new)
        for name, old, new in changes
    ]


def _start_risk_if_first(risk: Risk, old_status: str, mitigation: Mitigation, actor) -> None:
    if not rules.starts_risk_mitigation(risk.status, old_status, mitigation.status):
        return
    # Decide on the risk as it is now, holding its lock: two mitigations starting at the
    # same moment would otherwise both write over the version they read, and one save fail.
    lock_row(Risk, risk.id)
    db.session.refresh(risk)
    if rules.starts_risk_mitigation(risk.status, old_status, mitigation.status):
        risk.status = "mitigating"
        risk.updated_at = clock.now()
        history.record(
            risk,
            actor,
            [("status", "open", "mitigating")],
            reason=f"{mitigation.label} started: {mitigation.title}",
        )


def move(mitigation: Mitigation, direction: str, actor: User) -> None:
    """Swap the mitigation with its neighbour above ("up") or below ("down")."""
    risk = mitigation.risk
    if not permissions.can_reorder(actor, risk) or risk.archived_at is not None:
        raise PermissionDenied("The risk's owners arrange its mitigations.")
    ordered = list(risk.mitigations)
    index = ordered.index(mitigation)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumber the whole list (positions may have gaps or ties from concurrent additions),
    # below the ORM: the order is the risk's, not a change to each mitigation, so it must not
    # make anyone's open edit form stale.
    table = Mitigation.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("item"))
        .values(position=sa.bindparam("new_position")),
        [{"item": item.id, "new_position": n} for n, item in enumerate(ordered, start=1)],
    )
    db.session.commit()
