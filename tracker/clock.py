"""The one source of "now" for the app, replaceable in tests through the CLOCK setting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current time, timezone-aware (the app's CLOCK setting, if given, decides)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def today() -> date:
    """Today's calendar date where the program runs (the TIMEZONE setting, default UTC).

    Due dates are calendar dates: a mitigation due on the 3rd is overdue from the start of the
    4th in the company's time zone, not when UTC reaches it.
    """
    return now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
