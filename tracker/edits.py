"""Saving an edit form that was loaded at some version of a risk or mitigation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from tracker.database import lock_row
from tracker.extensions import db
from tracker.forms import apply_errors
from tracker.risks.history import Change
from tracker.validation import StaleVersion, ValidationError

T = TypeVar("T")


# Versions are INTEGER columns; a number past them cannot be one the form was loaded at.
MAX_VERSION = 2**31 - 1


def version_from_form(text: str | None) -> int:
    """The version the form was loaded at; 0 (older than any) when missing or not a version
    (not a number, or past the column's range), so such a form is checked for conflicts rather
    than saved blindly."""
    try:
        version = int(text or 0)
    except ValueError:
        return 0
    return version if 0 <= version <= MAX_VERSION else 0


def save_edit(
    form: FlaskForm, save: Callable[..., object], current_version: Callable[[], int]
) -> tuple[bool, list[Change] | None]:
    """Call `save(expected_version=…, reason=…)` with what the form carries.

    Returns (saved, conflict). On a conflict the form takes the current version, so that saving
    again is a deliberate overwrite of what the user has now seen; validation errors go next to
    their fields. Either way the user's input stays in the form.
    """
    try:
        save(expected_version=version_from_form(form.version.data), reason=form.reason.data or "")
    except StaleVersion as stale:
        form.version.data = str(current_version())
        return False, stale.changes
    except ValidationError as exc:
        apply_errors(form, exc)
        return False, None
    return True, None


# Each attempt but the first waits for the record's lock, so two are nearly always enough;
# the rest cover the risk a mitigation's save also touches.
OVERWRITE_ATTEMPTS = 5


def save_as_asked(record: T, expected: int | None, load: Callable[[], T], save) -> T:
    """`save(record)`, which checks the version the client expects; with None (the API's
    `If-Match: *`) over whatever version is current instead (save_over_current). Returns the
    record as saved."""
    if expected is not None:
        save(record)
        return record
    return save_over_current(type(record), record.id, load, save)


def save_over_current(model: type[T], record_id: int, load: Callable[[], T], save) -> T:
    """Save over whatever version is current (the API's `If-Match: *`), never refused for a
    save that lands between this one's read and its write.

    Each attempt locks the record's row (tracker.database.lock_row), reads it afresh with
    `load()` and calls `save(record)`; a deliberate overwrite then only waits for the saves
    ahead of it. Returns the record as saved; StaleVersion only after OVERWRITE_ATTEMPTS
    races in a row.
    """
    for attempt in range(OVERWRITE_ATTEMPTS):
        lock_row(model, record_id)
        db.session.expire_all()
        record = load()
        try:
            save(record)
        except StaleVersion:
            if attempt == OVERWRITE_ATTEMPTS - 1:
                raise
        else:
            return record
    raise AssertionError("unreachable")
