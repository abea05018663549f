"""Helpers shared by every area's forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from tracker.validation import ValidationError


class PostForm(FlaskForm):
    """An empty form: a CSRF token for buttons that only POST."""


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_errors(
    form: FlaskForm, error: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Show a service's validation errors next to the matching form fields.

    `renames` maps a service's field name to the form's where they differ; errors for fields the
    form lacks are shown above the form.
    """
    renames = renames or {}
    for field_name, message in error.errors.items():
        field = getattr(form, renames.get(field_name, field_name), None)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]
