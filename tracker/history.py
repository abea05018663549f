"""The audit trail every record keeps: one event per changed field, with who, when and why.

Risks (with their mitigations) and incidents each have an event table of the same columns
(tracker.models.events.FieldChange); this module writes and reads any of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tracker.models import Category, Incident, Risk, Team, User
from tracker.models.events import FieldChange

# Fields recorded even when nothing "changed" from one value to another: they mark an event.
EVENT_FIELDS = ("created", "reviewed", "mitigation", "note", "linked_risk", "unlinked_risk")


def display_value(value) -> str | None:
    """How a field's value is written in the history (and compared for changes)."""
    if value is None:
        return None
    if isinstance(value, Team | Category):
        return value.slug
    if isinstance(value, User):
        return value.email
    if isinstance(value, Incident | Risk):
        return value.key
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float):
        # Exact (shortest round-trip) text, so no change is too small to be recorded.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def field_events(
    event_type: type[FieldChange],
    changes: Iterable[tuple[str, object, object]],
    *,
    actor: User | None,
    version: int,
    reason: str,
    at: datetime,
    **subject,
) -> list[FieldChange]:
    """One `event_type` row per (field, old, new) whose displayed value changed.

    `subject` names the record the events belong to (e.g. risk=…, mitigation=…);
    `version` is the record's version once the change is saved.
    """
    events = []
    for field, old, new in changes:
        old_text, new_text = display_value(old), display_value(new)
        if old_text == new_text and field not in EVENT_FIELDS:
            continue
        events.append(
            event_type(
                actor=actor,
                version=version,
                field=field,
                old_value=old_text,
                new_value=new_text,
                reason=reason,
                at=at,
                **subject,
            )
        )
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
    # "M-3 Add a read replica" when the change was to a mitigation; "" for the record itself.
    subject: str = ""


def as_change(event: FieldChange, labels: dict[str, str], subject: str = "") -> Change:
    """The event as shown, its field named by `labels`."""
    return Change(
        subject=subject,
        at=event.at,
        actor=event.actor.display_name if event.actor else "Risk Tracker",
        field=event.field,
        label=labels.get(event.field, event.field),
        old=event.old_value,
        new=event.new_value,
        reason=event.reason,
    )
