"""Forms of the review pages; the values are validated by tracker.reviews.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from tracker.forms import choices
from tracker.reviews.present import KIND_LABELS


class StartForm(FlaskForm):
    """The "Start a review" button (CSRF only)."""


class DecisionForm(FlaskForm):
    """One decision about one risk of the review."""

    risk_key = HiddenField()
    kind = SelectField("Decision", choices=choices(KIND_LABELS.items()), validate_choice=False)
    note = StringField("Note")
    # Text, not DateField: the service parses it and says what is wrong with what was typed.
    until = StringField("Accept until", render_kw={"type": "date"})
    assignee = StringField("Assign to")


class NotesForm(FlaskForm):
    """The review's general notes; the same form saves them or finishes the review."""

    notes = TextAreaField("General notes")
