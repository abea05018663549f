"""Forms for risks. Fields arrive as typed text and are validated by tracker.risks.fields,
the same rules the import and the API use."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from tracker.domain import lifecycle
from tracker.forms import ImportForm, choices
from tracker.risks.fields import EDITABLE_FIELDS
from tracker.risks.settings import ScoringSettings


def _level_choices(levels) -> list:
    return choices((str(level.value), f"{level.value} — {level.label}") for level in levels)


class RiskForm(FlaskForm):
    # Lengths and ranges are checked by tracker.risks.fields, with the messages the import and
    # the API give too.
    title = StringField("Title")
    description = TextAreaField(
        "Description", description="What could happen, and how it would hurt availability."
    )
    category = SelectField("Category")
    service = StringField("Affected service")
    team = SelectField("Owning team")
    owner = SelectField("Owner")
    likelihood = SelectField("Likelihood")
    impact = SelectField("Impact")
    residual_likelihood = SelectField(
        "Residual likelihood", description="Once the mitigations are done."
    )
    residual_impact = SelectField("Residual impact")
    treatment = SelectField(
        "Treatment", choices=choices((t, t.capitalize()) for t in lifecycle.TREATMENTS)
    )
    next_review = DateField(
        "Next review",
        validators=[Optional()],
        description="Empty: set from the band's review cadence.",
    )
    tags = StringField("Tags", description="Words separated by commas, e.g. aws, single-az.")
    ettd_minutes = StringField("ETTD — minutes to detect")
    ettr_minutes = StringField("ETTR — minutes to repair")
    users_impacted = StringField(
        "Users impacted", description="Share of users affected: 0.02 or 2%."
    )
    ettf_days = StringField("ETTF — days between failures")
    reason = StringField(
        "Reason for the change",
        validators=[Length(max=500)],
        description="Needed when a score changes; kept in the history.",
    )
    version = HiddenField()
    submit = SubmitField("Save risk")

    def set_choices(self, settings: ScoringSettings, categories, teams, users) -> None:
        self.category.choices = choices((c.slug, c.name) for c in categories)
        self.team.choices = choices((t.slug, t.name) for t in teams)
        self.owner.choices = choices(
            [("", "— nobody yet —")] + [(u.email, u.display_name) for u in users]
        )
        for name in ("likelihood", "residual_likelihood"):
            getattr(self, name).choices = _level_choices(settings.likelihood_levels)
        for name in ("impact", "residual_impact"):
            getattr(self, name).choices = _level_choices(settings.impact_levels)

    def raw_values(self) -> dict[str, object]:
        """The submitted editable fields, for the service to validate."""
        return {name: getattr(self, name).data for name in EDITABLE_FIELDS}

    def fill_from(self, risk) -> None:
        """Show a risk's current values (a GET of the edit page)."""
        for name in EDITABLE_FIELDS:
            value = getattr(risk, name) if name != "tags" else ", ".join(risk.tag_names)
            if name in ("team", "category"):
                value = value.slug
            elif name == "owner":
                value = value.email if value else ""
            elif name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
                value = str(value)
            elif name in ("ettd_minutes", "ettr_minutes", "users_impacted", "ettf_days"):
                value = "" if value is None else f"{value:g}"
            getattr(self, name).data = value
        self.version.data = str(risk.version)


class StatusForm(FlaskForm):
    status = SelectField(
        "New status", choices=choices((s, s.capitalize()) for s in lifecycle.STATUSES)
    )
    reason = StringField(
        "Why", validators=[Length(max=500)], description="Needed to reopen or close."
    )
    # Checked by the service (only when accepting), so other moves need not choose one.
    approver = SelectField("Approved by", description="Needed to accept.", validate_choice=False)
    expires_on = DateField("Acceptance expires", validators=[Optional()])
    version = HiddenField()
    submit = SubmitField("Change status")


class ReviewForm(FlaskForm):
    note = StringField("Review note", validators=[Length(max=500)])
    submit = SubmitField("Mark reviewed")


class ArchiveForm(FlaskForm):
    reason = StringField("Reason", validators=[Length(max=500)])
    submit = SubmitField("Archive")


class RiskImportForm(ImportForm):
    create_teams = BooleanField(
        "Create the teams the file names that do not exist yet",
        description="Admins only. A new team's name is its slug, capitalised; rename it later.",
    )
