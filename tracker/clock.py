"""The one source of "now" for the app, replaceable in tests through the CLOCK setting."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app


def now() -> datetime:
    """The current time, timezone-aware (the app's CLOCK setting, if given, decides)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def today() -> date:
    """Today's calendar date in UTC."""
    return now().date()
