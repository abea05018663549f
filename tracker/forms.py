"""Helpers shared by every area's forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FieldRefused

from tracker.validation import ValidationError


class PostForm(FlaskForm):
    """An empty form: a CSRF token for buttons that only POST."""


class ImportForm(FlaskForm):
    """Upload a CSV file; shared by every import page (risks add create_teams)."""

    file = FileField(
        "CSV file", description="UTF-8, comma or semicolon separated, with a header row."
    )
    content = HiddenField()
    dry_run = BooleanField("Dry run: show what would change, write nothing", default=True)
    strict = BooleanField(
        "Refuse columns this import does not know",
        description="Otherwise they are listed once as a warning and ignored.",
    )
    submit = SubmitField("Check file")

    def options(self) -> dict[str, bool]:
        """The import's options that are ticked, as keyword arguments of its plan_import."""
        return {
            field.name: True
            for field in self
            # field.type, not isinstance: a SubmitField is a BooleanField too.
            if field.type == "BooleanField" and field.name != "dry_run" and field.data
        }


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class _ListedChoices:
    """Refuses a value the menu does not list in the product's words, not WTForms' "Not a valid
    choice." (a stale page or a hand-made request sends one)."""

    def _refusal(self) -> str:
        return f"Choose {self.label.text.lower()} from the list."

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self._refusal()) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except FieldRefused:
            raise FieldRefused(self._refusal()) from None


class ChoiceField(_ListedChoices, SelectField):
    """A menu of one choice."""


class MultipleChoiceField(_ListedChoices, SelectMultipleField):
    """Several choices from a list."""


def too_long(limit: int) -> str:
    """The product's words for a text longer than `limit` (WTForms' own are generic)."""
    return f"Use at most {limit} characters here."


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
