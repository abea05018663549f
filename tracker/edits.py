"""Saving an edit form that was loaded at some version of a risk or mitigation."""

from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm

from tracker.forms import apply_errors
from tracker.risks.history import Change
from tracker.validation import StaleVersion, ValidationError


def version_from_form(text: str | None) -> int:
    """The version the form was loaded at; 0 (older than any) when missing, so a form
    without it is checked for conflicts rather than saved blindly."""
    try:
        return int(text or 0)
    except ValueError:
        return 0


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
