"""Recording changes to risks as audit events, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import Category, Mitigation, Risk, RiskEvent, Team, User

FIELD_LABELS = {
    "created": "Created",
    "title": "Title",
    "description": "Description",
    "category": "Category",
    "service": "Service",
    "team": "Team",
    "owner": "Owner",
    "likelihood": "Likelihood",
    "impact": "Impact",
    "residual_likelihood": "Residual likelihood",
    "residual_impact": "Residual impact",
    "treatment": "Treatment",
    "status": "Status",
    "next_review": "Next review",
    "tags": "Tags",
    "ettd_minutes": "ETTD (min)",
    "ettr_minutes": "ETTR (min)",
    "users_impacted": "Users impacted",
    "ettf_days": "ETTF (days)",
    "accepted_by": "Accepted by",
    "acceptance_expires": "Acceptance expires",
    "archived": "Archived",
    "reviewed": "Reviewed",
    "mitigation": "Mitigation",
    "due_date": "Due date",
    "notes": "Notes",
    "note": "Note",
    "completed_on": "Completed on",
    "jira_link": "Jira link",
    "follow_jira": "Follows Jira",
}


def display_value(value) -> str | None:
    """How a field's value is written in the history (and compared for changes)."""
    if value is None:
        return None
    if isinstance(value, Team | Category):
        return value.slug
    if isinstance(value, User):
        return value.email
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float):
        # Exact (shortest round-trip) text, so no change is too small to be recorded.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def record(
    risk: Risk,
    actor: User | None,
    changes: Iterable[tuple[str, object, object]],
    reason: str = "",
    at: datetime | None = None,
    mitigation: Mitigation | None = None,
    *,
    flush: bool = True,
) -> list[RiskEvent]:
    """Add one event per (field, old, new) whose displayed value changed.

    Flushes the risk first, so each event carries the version the change produced; a caller
    that has flushed it already (a bulk import) passes flush=False.
    """
    if flush:
        db.session.flush()
    at = at or clock.now()
    events = []
    for field, old, new in changes:
        old_text, new_text = display_value(old), display_value(new)
        if old_text == new_text and field not in ("created", "reviewed", "mitigation", "note"):
            continue
        event = RiskEvent(
            risk=risk,
            mitigation=mitigation,
            actor=actor,
            # The version of what changed: the mitigation's for a mitigation, else the risk's.
            version=(mitigation or risk).version,
            field=field,
            old_value=old_text,
            new_value=new_text,
            reason=reason,
            at=at,
        )
        events.append(event)
    db.session.add_all(events)
    return events


@dataclass(frozen=True)
class Change:
    """A recorded change, ready to show."""

    at: datetime
    actor: str
    field: str
    label: str
    old: str | None
    new: str | None
    reason: str
    # "M-3 Add a read replica" when the change was to a mitigation; "" for the risk itself.
    subject: str = ""


def _as_change(event: RiskEvent) -> Change:
    mitigation = event.mitigation
    return Change(
        subject=f"{mitigation.label} {mitigation.title}" if mitigation else "",
        at=event.at,
        actor=event.actor.display_name if event.actor else "Risk Tracker",
        field=event.field,
        label=FIELD_LABELS.get(event.field, event.field),
        old=event.old_value,
        new=event.new_value,
        reason=event.reason,
    )


def timeline(risk: Risk) -> list[Change]:
    """Every change to the risk, newest first (two queries)."""
    events = db.session.scalars(
        sa.select(RiskEvent)
        .where(RiskEvent.risk_id == risk.id)
        .options(selectinload(RiskEvent.actor), selectinload(RiskEvent.mitigation))
        .order_by(RiskEvent.at.desc(), RiskEvent.id.desc())
    )
    return [_as_change(event) for event in events]


def changes_since(risk: Risk, version: int, mitigation: Mitigation | None = None) -> list[Change]:
    """What was saved to the risk (or to one of its mitigations) after `version`, oldest
    first: shown when an edit comes in stale."""
    subject = (
        RiskEvent.mitigation_id.is_(None)
        if mitigation is None
        else RiskEvent.mitigation_id == mitigation.id
    )
    events = db.session.scalars(
        sa.select(RiskEvent)
        .where(RiskEvent.risk_id == risk.id, subject, RiskEvent.version > version)
        .options(selectinload(RiskEvent.actor))
        .order_by(RiskEvent.id)
    )
    return [_as_change(event) for event in events]
