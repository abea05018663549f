"""Recording changes to risks as audit events, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain import lifecycle
from tracker.domain import mitigations as mitigation_rules
from tracker.extensions import db
from tracker.history import display_value
from tracker.models import Category, Mitigation, Risk, RiskEvent, Team, User
from tracker.paging import Page, clamp_page

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
    "residual_bad_minutes_per_year": "Bad minutes a year once mitigated",
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
    "source_incident": "Source incident",
    "horizon": "Horizon",
}


PERSON_FIELDS = ("owner", "accepted_by")


def value_text(
    field: str, value: str, of_mitigation: bool, names: dict[str, dict[str, str]]
) -> str:
    """A stored history value as people read it ("in_progress" → "In progress", a team's slug
    → its name, an email → the person's name); `names` maps "team", "category" and "person"
    to {stored value: name}. Values without a better word are shown as stored."""
    if field == "status":
        labels = mitigation_rules.STATUS_LABELS if of_mitigation else lifecycle.STATUS_LABELS
        return labels.get(value, value)
    if field in ("team", "category"):
        return names[field].get(value, value)
    if field in PERSON_FIELDS:
        return names["person"].get(value, value)
    if field == "treatment":
        return value.capitalize()
    if field == "follow_jira":
        return {"True": "yes", "False": "no"}.get(value, value)
    if field == "users_impacted":
        try:
            return f"{float(value):.1%}".replace(".0%", "%")
        except ValueError:
            return value
    return value


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
    """A recorded change, ready to show: `old` and `new` as stored (slugs, emails, codes),
    `old_text` and `new_text` as people read them (names, labels)."""

    at: datetime
    actor: str
    field: str
    label: str
    old: str | None
    new: str | None
    reason: str
    # "M-3 Add a read replica" when the change was to a mitigation; "" for the risk itself.
    subject: str = ""
    old_text: str | None = None
    new_text: str | None = None

    @property
    def shown_old(self) -> str:
        return _shown(self.field, self.old_text)

    @property
    def shown_new(self) -> str:
        return _shown(self.field, self.new_text)


# What an empty value of a field means, for people to read; "—" for the others.
EMPTY_LABELS = {"residual_likelihood": "not assessed", "residual_impact": "not assessed"}


def _shown(field: str, value: str | None) -> str:
    return EMPTY_LABELS.get(field, "—") if value is None else value


class ValueNames:
    """Turns stored history values into what people read: a team's or category's name, a
    person's name, a status's label. Loads the names it needs in three queries."""

    def __init__(self, events: list[RiskEvent]):
        emails = {
            value
            for e in events
            if e.field in PERSON_FIELDS
            for value in (e.old_value, e.new_value)
            if value
        }
        self.teams = dict(db.session.execute(sa.select(Team.slug, Team.name)).all())
        self.categories = dict(db.session.execute(sa.select(Category.slug, Category.name)).all())
        self.people = (
            dict(
                db.session.execute(
                    sa.select(User.email, User.display_name).where(User.email.in_(emails))
                ).all()
            )
            if emails
            else {}
        )

    def text(self, field: str, value: str | None, of_mitigation: bool) -> str | None:
        if value is None:
            return None
        return value_text(
            field,
            value,
            of_mitigation,
            {"team": self.teams, "category": self.categories, "person": self.people},
        )


def _as_change(event: RiskEvent, names: ValueNames) -> Change:
    mitigation = event.mitigation
    of_mitigation = event.mitigation_id is not None
    return Change(
        subject=f"{mitigation.label} {mitigation.title}" if mitigation else "",
        at=event.at,
        actor=event.actor.display_name if event.actor else "Risk Tracker",
        field=event.field,
        label=FIELD_LABELS.get(event.field, event.field),
        old=event.old_value,
        new=event.new_value,
        reason=event.reason,
        old_text=names.text(event.field, event.old_value, of_mitigation),
        new_text=names.text(event.field, event.new_value, of_mitigation),
    )


def _as_changes(events) -> list[Change]:
    events = list(events)
    names = ValueNames(events)
    return [_as_change(event, names) for event in events]


def _events_of(risk: Risk) -> sa.Select:
    return (
        sa.select(RiskEvent)
        .where(RiskEvent.risk_id == risk.id)
        .options(selectinload(RiskEvent.actor), selectinload(RiskEvent.mitigation))
        .order_by(RiskEvent.at.desc(), RiskEvent.id.desc())
    )


def timeline(risk: Risk) -> list[Change]:
    """Every change to the risk, newest first (two queries)."""
    return _as_changes(db.session.scalars(_events_of(risk)))


def timeline_page(risk: Risk, page: int = 1, per_page: int = 50) -> Page:
    """One page of the risk's changes, newest first: a count, then the page with its actors
    and mitigations, whatever the length of the history. A page past the last gives the
    last."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(RiskEvent).where(RiskEvent.risk_id == risk.id)
    )
    page = clamp_page(page, total, per_page)
    events = db.session.scalars(_events_of(risk).limit(per_page).offset((page - 1) * per_page))
    return Page(items=_as_changes(events), total=total, page=page, per_page=per_page)


def changes_to(risk: Risk, fields: Iterable[str]) -> list[Change]:
    """The changes to these fields of the risk, newest first: e.g. its scale values, which its
    score chart is drawn from (tracker.risks.charts) whichever page of the history shows."""
    query = _events_of(risk).where(RiskEvent.field.in_(list(fields)))
    return _as_changes(db.session.scalars(query))


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
    return _as_changes(events)
