"""Validation of a mitigation's editable fields (forms, API and CLI share it)."""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain import mitigations as rules
from tracker.risks.fields import FieldError, Lookups, parse_date, parse_description, parse_title
from tracker.validation import ValidationError

EDITABLE_FIELDS = ("title", "description", "owner", "team", "due_date", "status", "notes")
# An incident's follow-up: the incident whose review asked for it, and its horizon.
FOLLOW_UP_FIELDS = ("source_incident", "horizon")
NOTES_MAX = 20_000
NOTE_MAX = 1_000
# Who may own a mitigation: the people who change things (viewers only read).
OWNER_ROLES = ("admin", "manager")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_status(value) -> str:
    text = _text(value).lower().replace(" ", "_")
    if text not in rules.STATUSES:
        raise FieldError(f"The status must be one of {', '.join(rules.STATUSES)} (got {text!r}).")
    return text


def parse_notes(value) -> str:
    text = _text(value)
    if len(text) > NOTES_MAX:
        raise FieldError(f"Use at most {NOTES_MAX} characters for the notes.")
    return text


def parse_horizon(value) -> str | None:
    text = _text(value).lower()
    if not text:
        return None
    if text not in rules.HORIZONS:
        raise FieldError(
            f"The horizon must be short (an action item) or long (a strategic change), "
            f"got {text!r}."
        )
    return text


def parse_source_incident(value):
    """The incident with this INC-n key, or None for a blank value."""
    from tracker.incidents.queries import incident_by_key

    text = _text(value)
    if not text:
        return None
    incident = incident_by_key(text)
    if incident is None:
        raise FieldError(f"No incident has the key {text!r}. Give a key such as INC-3.")
    return incident


def clean_mitigation_values(
    raw: Mapping[str, object], lookups: Lookups, *, creating: bool
) -> dict[str, object]:
    """Validate the editable fields in `raw`; return them ready for the model.

    When creating, title, team and due date are required and status starts planned.
    Raises ValidationError with a message per bad field.
    """
    parsers = {
        "title": parse_title,
        "description": parse_description,
        "notes": parse_notes,
        "status": parse_status,
        "due_date": lambda v: parse_date(v, "due date"),
        "team": lambda v: _lookup(lookups.teams, _text(v).lower(), "team has the slug"),
        "owner": lambda v: None if not _text(v) else parse_owner(_text(v).lower(), lookups),
        "source_incident": parse_source_incident,
        "horizon": parse_horizon,
    }
    present = {name: raw[name] for name in (*EDITABLE_FIELDS, *FOLLOW_UP_FIELDS) if name in raw}
    if creating:
        present.setdefault("status", "planned")
        for name in ("title", "team", "due_date"):
            present.setdefault(name, None)
    clean, errors = {}, {}
    for name, value in present.items():
        if name in ("description", "notes", "owner", *FOLLOW_UP_FIELDS) and value is None:
            clean[name] = "" if name in ("description", "notes") else None
            continue
        if value is None or (_text(value) == "" and name in ("title", "team", "due_date")):
            errors[name] = f"Give the {name.replace('_', ' ')}."
            continue
        try:
            clean[name] = parsers[name](value)
        except FieldError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return clean


def parse_owner(email: str, lookups: Lookups):
    """The user who will do the work: an admin or a manager (viewers only read)."""
    user = _lookup(lookups.users, email, "user has the email")
    if user.role not in OWNER_ROLES:
        raise FieldError(
            f"{user.display_name} is a viewer and cannot own work; choose a manager or an admin."
        )
    return user


def _lookup(mapping, key: str, what: str):
    if key not in mapping:
        raise FieldError(f"No {what} {key!r}.")
    return mapping[key]
