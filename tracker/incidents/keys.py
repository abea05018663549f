"""Incident keys: INC-<n>, numbered by the tracker (see tracker/numbering.py)."""

from __future__ import annotations

from tracker.models.incidents import INCIDENT_KEY_PREFIX, Incident
from tracker.numbering import KeySeries

INCIDENT_KEYS = KeySeries("incidents", INCIDENT_KEY_PREFIX, Incident.number)


def parse_incident_key(text: str | None) -> int | None:
    """The number in a key such as "INC-12" (any case), or None when it is not one the
    tracker could have issued."""
    return INCIDENT_KEYS.parse(text)


def format_incident_key(number: int) -> str:
    return INCIDENT_KEYS.format(number)
