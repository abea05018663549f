"""Validation of an incident's editable fields, one at a time (forms, API and import share it).

Values may arrive typed (from a form or JSON) or as text (from a spreadsheet cell). Rules that
join several fields (times in order, impact within the duration) are in tracker.domain.incidents
and applied by the service once every field is clean.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from tracker.risks.fields import (
    FieldError,
    Lookups,
    parse_date,
    parse_number,
    parse_share,
    parse_title,
)
from tracker.validation import ValidationError

SUMMARY_MAX = 20_000
SERVICE_MAX = 120
SERVICES_MAX = 20
REVIEW_URL_MAX = 500
EDITABLE_FIELDS = (
    "title",
    "summary",
    "severity",
    "services",
    "team",
    "commander",
    "started_at",
    "detected_at",
    "resolved_at",
    "impact_minutes",
    "users_impacted",
    "review_url",
    "review_date",
)
REQUIRED_FIELDS = ("title", "severity", "team", "started_at")
# Fields that may be emptied: they are optional on the incident.
OPTIONAL_FIELDS = ("summary", "services", "commander", "detected_at", "resolved_at")
OPTIONAL_FIELDS += ("review_url", "review_date", "impact_minutes", "users_impacted")
FIELD_NAMES = {
    "started_at": "start",
    "detected_at": "detection time",
    "resolved_at": "resolution time",
    "review_date": "review date",
}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _blank(value) -> bool:
    return not value if isinstance(value, list | tuple) else _text(value) == ""


def parse_summary(value) -> str:
    text = _text(value)
    if len(text) > SUMMARY_MAX:
        raise FieldError(f"Use at most {SUMMARY_MAX} characters for the summary.")
    return text


def parse_services(value) -> list[str]:
    """Service names from a list or from text separated by commas; lower-cased, each once."""
    words = value if isinstance(value, list | tuple) else _text(value).split(",")
    names: list[str] = []
    for word in words:
        if not isinstance(word, str):
            raise FieldError("Give the services as names separated by commas.")
        name = " ".join(word.split()).lower()
        if not name:
            continue
        if len(name) > SERVICE_MAX:
            raise FieldError(f"Use at most {SERVICE_MAX} characters per service ({name[:20]}…).")
        if name not in names:
            names.append(name)
    if len(names) > SERVICES_MAX:
        raise FieldError(f"Name at most {SERVICES_MAX} services.")
    return sorted(names)


def parse_moment(value, name: str, zone: tzinfo) -> datetime:
    """A point in time: ISO 8601 with or without an offset (without one, in `zone`)."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value)
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
        except ValueError:
            raise FieldError(
                f"Give the {name} as a date and time, e.g. 2026-03-01T14:05 (got {text!r})."
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_minutes(value) -> float:
    minutes = parse_number(value, "impact minutes")
    if minutes < 0:
        raise FieldError("The impact minutes cannot be negative.")
    return minutes


def parse_review_url(value) -> str:
    text = _text(value)
    if len(text) > REVIEW_URL_MAX:
        raise FieldError(f"Use at most {REVIEW_URL_MAX} characters for the review link.")
    if text and not text.lower().startswith(("https://", "http://")):
        raise FieldError("Give the review document as a link starting with https://.")
    return text


def parse_severity(value, severities: tuple[str, ...]) -> str:
    text = _text(value).lower()
    if text not in severities:
        raise FieldError(f"The severity must be one of {', '.join(severities)} (got {text!r}).")
    return text


def _lookup(mapping: Mapping, key: str, what: str, hint: str):
    if key not in mapping:
        raise FieldError(f"No {what} {key!r}. {hint}")
    return mapping[key]


def clean_incident_values(
    raw: Mapping[str, object],
    lookups: Lookups,
    severities: tuple[str, ...],
    zone: tzinfo,
    *,
    creating: bool,
) -> dict[str, object]:
    """Validate the editable fields present in `raw`; return them ready for the service.

    Blank optional fields become None ("" for text). When creating, title, severity, team and
    start are required. Raises ValidationError with a message per bad field.
    """
    parsers = {
        "title": parse_title,
        "summary": parse_summary,
        "severity": lambda v: parse_severity(v, severities),
        "services": parse_services,
        "team": lambda v: _lookup(
            lookups.teams, _text(v).lower(), "team has the slug", "Give a team's slug."
        ),
        "commander": lambda v: _lookup(
            lookups.users, _text(v).lower(), "user has the email", "Give a user's email."
        ),
        "started_at": lambda v: parse_moment(v, "start", zone),
        "detected_at": lambda v: parse_moment(v, "detection time", zone),
        "resolved_at": lambda v: parse_moment(v, "resolution time", zone),
        "impact_minutes": parse_minutes,
        "users_impacted": parse_share,
        "review_url": parse_review_url,
        "review_date": lambda v: parse_date(v, "review date"),
    }
    present = {name: raw[name] for name in EDITABLE_FIELDS if name in raw}
    if creating:
        for name in REQUIRED_FIELDS:
            present.setdefault(name, None)
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, value in present.items():
        if _blank(value):
            if name in OPTIONAL_FIELDS:
                clean[name] = _empty(name)
            else:
                errors[name] = f"Give the {FIELD_NAMES.get(name, name)}."
            continue
        try:
            clean[name] = parsers[name](value)
        except FieldError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return clean


def _empty(name: str):
    if name in ("summary", "review_url"):
        return ""
    if name == "services":
        return []
    return None
