"""The incident settings in force, read from the app's configuration."""

from __future__ import annotations

from flask import current_app

from tracker.domain.incidents import validate_severities


def severities() -> tuple[str, ...]:
    """The configured severity levels, most severe first (checked at start-up)."""
    return validate_severities(current_app.config["INCIDENT_SEVERITIES"])


def review_days() -> int:
    """Days after resolving within which an incident's review must be held (checked at
    start-up)."""
    return int(current_app.config["INCIDENT_REVIEW_DAYS"])
