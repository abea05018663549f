"""Forms for risks. Fields arrive as typed text and are validated by tracker.risks.fields,
the same rules the import and the API use."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length

from tracker.domain import lifecycle
from tracker.forms import ChoiceField, ImportForm, choices, too_long
from tracker.risks.fields import EDITABLE_FIELDS, SCALE_FIELDS
from tracker.risks.settings import ScoringSettings

NOT_ASSESSED = "Not assessed"


def _level_choices(levels, empty_label: str) -> list:
    """The 1–5 levels after an empty first option, so nothing is chosen by default."""
    return choices(
        [("", empty_label)]
        + [(str(level.value), f"{level.value} — {level.label}") for level in levels]
    )


class RiskForm(FlaskForm):
    # Lengths and ranges are checked by tracker.risks.fields, with the messages the import and
    # the API give too.
    title = StringField("Title")
    description = TextAreaField(
        "Description", description="What could happen, and how it would hurt availability."
    )
    category = ChoiceField("Category")
    service = StringField("Affected service")
    team = ChoiceField("Owning team")
    owner = ChoiceField("Owner")
    # Required, but checked by the service: an empty choice gets the product's message.
    likelihood = ChoiceField("Likelihood", render_kw={"required": True})
    impact = ChoiceField("Impact", render_kw={"required": True})
    residual_likelihood = ChoiceField(
        "Residual likelihood",
        description="Once the mitigations are done; leave both not assessed until you know.",
    )
    residual_impact = ChoiceField("Residual impact")
    treatment = ChoiceField(
        "Treatment", choices=choices((t, t.capitalize()) for t in lifecycle.TREATMENTS)
    )
    # Text, not DateField: the service parses it and says what is wrong with what was typed.
    next_review = StringField(
        "Next review",
        render_kw={"type": "date"},
        description="Empty: set from the band's review cadence.",
    )
    tags = StringField("Tags", description="Words separated by commas, e.g. aws, single-az.")
    ettd_minutes = StringField("ETTD — minutes to detect")
    ettr_minutes = StringField("ETTR — minutes to repair")
    users_impacted = StringField(
        "Users impacted", description="Share of users affected: 0.02 or 2%."
    )
    ettf_days = StringField("ETTF — days between failures")
    residual_bad_minutes_per_year = StringField(
        "Bad minutes a year once mitigated",
        description="Your estimate after the planned work; the roadmap ranks work by the "
        "minutes it saves. Leave empty if not estimated.",
    )
    reason = StringField(
        "Reason for the change",
        validators=[Length(max=500, message=too_long(500))],
        description="Needed when a score changes; kept in the history.",
    )
    version = HiddenField()
    # INC-n when the risk is created from an incident, which it is then linked to.
    from_incident = HiddenField()
    submit = SubmitField("Save risk")

    def set_choices(self, settings: ScoringSettings, categories, teams, users) -> None:
        self.category.choices = choices((c.slug, c.name) for c in categories)
        self.team.choices = choices((t.slug, t.name) for t in teams)
        self.owner.choices = choices(
            [("", "— nobody yet —")] + [(u.email, u.display_name) for u in users]
        )
        self.likelihood.choices = _level_choices(settings.likelihood_levels, "Choose…")
        self.impact.choices = _level_choices(settings.impact_levels, "Choose…")
        self.residual_likelihood.choices = _level_choices(settings.likelihood_levels, NOT_ASSESSED)
        self.residual_impact.choices = _level_choices(settings.impact_levels, NOT_ASSESSED)

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
            elif name in SCALE_FIELDS:
                value = "" if value is None else str(value)
            elif name in (
                "ettd_minutes",
                "ettr_minutes",
                "users_impacted",
                "ettf_days",
                "residual_bad_minutes_per_year",
            ):
                value = "" if value is None else f"{value:g}"
            elif name == "next_review":
                value = value.isoformat()
            getattr(self, name).data = value
        self.version.data = str(risk.version)


class StatusForm(FlaskForm):
    # Ids carry the form's name: the risk's page shows several forms with a reason field.
    # The service checks the move, so any status may arrive; the menu offers the allowed ones.
    status = ChoiceField("New status", id="status-status", validate_choice=False)
    reason = StringField(
        "Why",
        id="status-reason",
        validators=[Length(max=500, message=too_long(500))],
        description="Needed to reopen or close.",
    )
    # Checked by the service (only when accepting), so other moves need not choose one.
    approver = ChoiceField(
        "Approved by", id="status-approver", description="Needed to accept.", validate_choice=False
    )
    expires_on = StringField(
        "Acceptance expires", id="status-expires-on", render_kw={"type": "date"}
    )
    version = HiddenField(id="status-version")
    submit = SubmitField("Change status", id="status-submit")

    def offer_moves(self, current: str) -> None:
        """The menu starts on the current status and lists only the moves the lifecycle allows."""
        self.status.choices = choices(
            [(current, f"{lifecycle.STATUS_LABELS[current]} (current)")]
            + [
                (target, lifecycle.STATUS_LABELS[target])
                for target in lifecycle.TRANSITIONS[current]
            ]
        )
        if not self.status.data:
            self.status.data = current


class ReviewForm(FlaskForm):
    note = StringField(
        "Review note", id="review-note", validators=[Length(max=500, message=too_long(500))]
    )
    submit = SubmitField("Mark reviewed", id="review-submit")


class ArchiveForm(FlaskForm):
    reason = StringField(
        "Reason", id="archive-reason", validators=[Length(max=500, message=too_long(500))]
    )
    submit = SubmitField("Archive", id="archive-submit")


class RiskImportForm(ImportForm):
    create_teams = BooleanField(
        "Create the teams the file names that do not exist yet",
        description="Admins only. A new team's name is its slug, capitalised; rename it later.",
    )
