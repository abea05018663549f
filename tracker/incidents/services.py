"""Use cases for incidents: record, edit, move through open → reviewing → closed, and link
the risks they materialised.

Every function checks permissions, validates (each problem a message by field, nothing saved),
writes the history and commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tracker import clock
from tracker.domain import incidents as rules
from tracker.extensions import db
from tracker.history import display_value
from tracker.incidents import history, permissions
from tracker.incidents.fields import clean_incident_values
from tracker.incidents.keys import INCIDENT_KEYS, format_incident_key
from tracker.incidents.settings import severities
from tracker.models import Incident, IncidentService, Mitigation, Risk, User
from tracker.risks.fields import Lookups
from tracker.validation import PermissionDenied, StaleVersion, ValidationError

__all__ = [
    "PermissionDenied",
    "StaleVersion",
    "change_status",
    "create_incident",
    "link_risk",
    "unlink_risk",
    "update_incident",
]

# The incident's own columns set from cleaned values (services and the impact are special).
PLAIN_FIELDS = (
    "title",
    "summary",
    "severity",
    "team",
    "commander",
    "started_at",
    "detected_at",
    "resolved_at",
    "review_url",
    "review_date",
)
IMPACT_HINT = "Give the impact minutes, or the share of users impacted (0 to 1)."


def _clean(raw: Mapping[str, object], lookups: Lookups | None, *, creating: bool) -> dict:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return clean_incident_values(
        raw, lookups or Lookups.load(), severities(), zone, creating=creating
    )


def settle(current: Mapping[str, object], clean: Mapping[str, object]) -> dict[str, object]:
    """The incident's values after applying `clean` (cleaned fields) to `current` (see
    current_values), with the impact worked out; raises ValidationError naming every rule the
    result breaks. Writes nothing."""
    values = {**current, **{name: clean[name] for name in PLAIN_FIELDS if name in clean}}
    now = clock.now()
    errors = rules.timing_problems(
        values["started_at"], values["detected_at"], values["resolved_at"], now
    )
    if problem := rules.review_date_problem(values["review_date"], values["started_at"]):
        errors["review_date"] = problem
    duration = rules.duration_minutes(values["started_at"], values["resolved_at"], now)
    errors.update(_settle_impact(values, clean, duration))
    if values["status"] != "open" and values["resolved_at"] is None:
        errors["resolved_at"] = "An incident under review or closed needs its resolution time."
    if errors:
        raise ValidationError(errors)
    return values


def _settle_impact(values: dict, clean: Mapping[str, object], duration: float) -> dict[str, str]:
    """Work out the impact minutes in `values` from what `clean` gives: minutes as given, or
    a share of users times the duration (kept, so the minutes follow later changes of the
    times). Returns the problems by field."""
    minutes, share = clean.get("impact_minutes"), clean.get("users_impacted")
    if minutes is not None and share is not None:
        return {"users_impacted": "Give the impact minutes or the share of users, not both."}
    if share is not None:
        values["impact_share"] = share
    elif minutes is not None:
        values["impact_share"], values["impact_minutes"] = None, minutes
    elif "impact_minutes" in clean or "users_impacted" in clean or values["impact_minutes"] is None:
        return {"impact_minutes": IMPACT_HINT}
    if values["impact_share"] is not None:
        values["impact_minutes"] = rules.impact_from_share(values["impact_share"], duration)
        return {}
    problem = rules.impact_problem(values["impact_minutes"], duration)
    return {"impact_minutes": problem} if problem else {}


def current_values(incident: Incident) -> dict[str, object]:
    """The incident's values as settle() takes and gives them."""
    values = {name: getattr(incident, name) for name in PLAIN_FIELDS}
    values.update(
        impact_minutes=incident.impact_minutes,
        impact_share=incident.impact_share,
        status=incident.status,
    )
    return values


def apply_values(
    incident: Incident, values: Mapping[str, object], services: list[str] | None
) -> list[tuple[str, object, object]]:
    """Set the settled values (and services, when given); return (field, old, new) for each."""
    changes = []
    with db.session.no_autoflush:
        for name in (*PLAIN_FIELDS, "impact_minutes", "impact_share", "status"):
            old, new = getattr(incident, name), values[name]
            if display_value(old) != display_value(new):
                setattr(incident, name, new)
                changes.append((name, old, new))
        if services is not None and services != incident.services:
            changes.append(("services", incident.services, services))
            kept = [row for row in incident.service_rows if row.name in services]
            incident.service_rows = kept + [
                IncidentService(name=name)
                for name in services
                if name not in {row.name for row in kept}
            ]
    return changes


def new_values() -> dict[str, object]:
    """What settle() starts from for a new incident: nothing set, status open."""
    empty = dict.fromkeys(PLAIN_FIELDS) | {"impact_minutes": None, "impact_share": None}
    return empty | {"status": "open", "summary": "", "review_url": ""}


def create_incident(
    raw: Mapping[str, object],
    actor: User | None,
    lookups: Lookups | None = None,
    number: int | None = None,
) -> Incident:
    """Record an incident from the editable fields in `raw` (status starts open).

    The impact comes as `impact_minutes` or as `users_impacted`, a share (0–1) of users that
    multiplies the duration. `number` keeps a key given by an import (INC-<number>); otherwise
    the INC-n series numbers it (simultaneous creates each get their own key).
    """
    if actor is not None and not permissions.can_report(actor):
        raise PermissionDenied("Only admins and managers of a team record incidents.")
    clean = _clean(raw, lookups, creating=True)
    if actor is not None and not permissions.can_own(actor, clean["team"]):
        raise ValidationError.single("team", "You can record incidents only for your own teams.")
    values = settle(new_values(), clean)
    now = clock.now()
    incident = Incident(created_by=actor, updated_by=actor, created_at=now, updated_at=now)
    apply_values(incident, values, clean.get("services", []))
    try:
        incident.number = number or INCIDENT_KEYS.allocate()
        db.session.add(incident)
        history.record(incident, actor, [("created", None, incident.key)])
        db.session.commit()
    except IntegrityError:
        # Only a number given by the caller can be taken already.
        db.session.rollback()
        key = format_incident_key(incident.number)
        raise ValidationError.single("key", f"{key} is taken by another incident.") from None
    except BaseException:
        db.session.rollback()
        raise
    return incident


def _check_can_edit(incident: Incident, actor: User | None, expected_version: int | None) -> None:
    if actor is not None and not permissions.can_edit(actor, incident):
        raise PermissionDenied("You can change only the incidents of your own teams.")
    if expected_version is not None and expected_version != incident.version:
        raise StaleVersion(incident, history.changes_since(incident, expected_version))


def update_incident(
    incident: Incident,
    raw: Mapping[str, object],
    actor: User | None,
    *,
    expected_version: int | None,
    reason: str = "",
    lookups: Lookups | None = None,
) -> list[tuple[str, object, object]]:
    """Change the editable fields present in `raw` (and the status, when `raw` has one);
    return what changed.

    Refuses with StaleVersion when the incident moved past `expected_version`.
    """
    _check_can_edit(incident, actor, expected_version)
    clean = _clean(raw, lookups, creating=False)
    if actor is not None and "team" in clean and not permissions.can_own(actor, clean["team"]):
        raise ValidationError.single("team", "You can move incidents only to your own teams.")
    current = current_values(incident)
    if "status" in raw and str(raw["status"] or "").strip().lower() != incident.status:
        target = str(raw["status"] or "").strip().lower()
        resolved = clean.get("resolved_at", incident.resolved_at) is not None
        if problem := rules.transition_problem(
            incident.status, target, resolved=resolved, reason=reason
        ):
            raise ValidationError.single("status", problem)
        current["status"] = target
    values = settle(current, clean)
    changes = apply_values(incident, values, clean.get("services"))
    if not changes:
        db.session.rollback()
        return []
    _commit(incident, actor, changes, reason)
    return changes


def _commit(incident: Incident, actor: User | None, changes, reason: str) -> None:
    incident.updated_by = actor
    incident.updated_at = clock.now()
    # Always an UPDATE (and so a new version), even when only the links changed.
    flag_modified(incident, "updated_at")
    version_read = incident.version
    try:
        history.record(incident, actor, changes, reason=reason)
        db.session.commit()
    except StaleDataError:
        # Another process saved this incident between our read and our write.
        db.session.rollback()
        raise StaleVersion(incident, history.changes_since(incident, version_read)) from None


def change_status(
    incident: Incident,
    target: str,
    actor: User | None,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> None:
    """Move the incident to `target` (see domain.incidents.transition_problem)."""
    _check_can_edit(incident, actor, expected_version)
    if problem := rules.transition_problem(
        incident.status, target, resolved=incident.is_resolved, reason=reason
    ):
        raise ValidationError.single("status", problem)
    changes = [("status", incident.status, target)]
    incident.status = target
    _commit(incident, actor, changes, reason)


def link_risk(incident: Incident, risk: Risk, actor: User | None, *, reason: str = "") -> None:
    """Record that the incident materialised `risk` (a risk of any team)."""
    _check_can_edit(incident, actor, None)
    if risk in incident.risks:
        raise ValidationError.single("key", f"{risk.key} is already linked to {incident.key}.")
    incident.risks.append(risk)
    # Linking changes what the incident says about itself: a new version for ETags.
    _commit(incident, actor, [("linked_risk", None, risk.key)], reason)


def unlink_risk(incident: Incident, risk: Risk, actor: User | None, *, reason: str = "") -> None:
    """Remove the link; refused while the incident has follow-ups on that risk."""
    _check_can_edit(incident, actor, None)
    if risk not in incident.risks:
        raise ValidationError.single("key", f"{risk.key} is not linked to {incident.key}.")
    follow_ups = db.session.scalars(
        sa.select(Mitigation.id).where(
            Mitigation.source_incident_id == incident.id, Mitigation.risk_id == risk.id
        )
    ).all()
    if follow_ups:
        labels = ", ".join(f"M-{mid}" for mid in follow_ups)
        raise ValidationError.single(
            "key",
            f"{incident.key}'s follow-ups {labels} are on {risk.key}; "
            "clear their source incident first.",
        )
    incident.risks.remove(risk)
    _commit(incident, actor, [("unlinked_risk", risk.key, None)], reason)
