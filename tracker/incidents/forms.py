"""Forms for incidents. Fields arrive as typed text and are validated by
tracker.incidents.fields and the service, the same rules the API uses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from tracker.domain.incidents import STATUS_LABELS
from tracker.domain.mitigations import HORIZON_LABELS
from tracker.forms import choices
from tracker.incidents.fields import EDITABLE_FIELDS
from tracker.mitigations.forms import MitigationForm

MOMENT_FIELDS = ("started_at", "detected_at", "resolved_at")
# A browser's datetime-local input: minutes, no zone (the app's TIMEZONE is meant).
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label: str, description: str = "") -> StringField:
    # Text, not DateTimeField: the service parses it and says what is wrong with what was typed.
    return StringField(label, description=description, render_kw={"type": "datetime-local"})


class IncidentForm(FlaskForm):
    title = StringField("Title")
    summary = TextAreaField("Summary", description="What happened and who noticed.")
    severity = SelectField("Severity", validate_choice=False)
    services = StringField("Affected services", description="Names separated by commas.")
    team = SelectField("Owning team", validate_choice=False)
    commander = SelectField("Incident commander", validate_choice=False)
    started_at = _moment("Started")
    detected_at = _moment("Detected", "Optional.")
    resolved_at = _moment("Resolved", "Empty while the incident is open.")
    impact_minutes = StringField(
        "Customer-impact minutes", description="At most the duration. Or give a share below."
    )
    users_impacted = StringField(
        "Share of users impacted",
        description="0 to 1 (or 40%): multiplies the duration into impact minutes.",
    )
    review_url = StringField("Review document", description="A link, https://…")
    review_date = StringField("Review held on", render_kw={"type": "date"})
    reason = StringField(
        "Reason for the change", validators=[Length(max=500)], description="Kept in the history."
    )
    version = HiddenField()
    submit = SubmitField("Save incident")

    def set_choices(self, severities, teams, users) -> None:
        self.severity.choices = choices((name, name) for name in severities)
        self.team.choices = choices((team.slug, team.name) for team in teams)
        self.commander.choices = choices(
            [("", "— nobody —")] + [(user.email, user.display_name) for user in users]
        )

    def raw_values(self) -> dict[str, object]:
        """The submitted editable fields, for the service to validate."""
        return {name: getattr(self, name).data for name in EDITABLE_FIELDS}

    def fill_from(self, incident, zone: ZoneInfo) -> None:
        """Show an incident's current values (a GET of the edit page), times in `zone`."""
        for name in EDITABLE_FIELDS:
            if name == "users_impacted":
                value = "" if incident.impact_share is None else f"{incident.impact_share:g}"
            elif name == "impact_minutes":
                value = "" if incident.impact_share is not None else f"{incident.impact_minutes:g}"
            else:
                value = getattr(incident, name)
            getattr(self, name).data = _as_text(value, zone)
        self.version.data = str(incident.version)


def _as_text(value, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime(MOMENT_FORMAT)
    if isinstance(value, list):
        return ", ".join(value)
    for attribute in ("slug", "email"):
        if hasattr(value, attribute):
            return getattr(value, attribute)
    return str(value) if not hasattr(value, "isoformat") else value.isoformat()


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=choices(STATUS_LABELS.items()))
    reason = StringField(
        "Why", validators=[Length(max=500)], description="Needed to go back a step."
    )
    version = HiddenField()
    submit = SubmitField("Change status")


class LinkRiskForm(FlaskForm):
    key = StringField("Risk key", description="The risk this incident materialised, e.g. RISK-3.")
    submit = SubmitField("Link risk")


class FollowUpForm(MitigationForm):
    """A mitigation of one of the incident's risks, with its horizon."""

    risk = SelectField("Risk it lowers", validate_choice=False)
    horizon = SelectField("Horizon", choices=choices(HORIZON_LABELS.items()), validate_choice=False)
    submit = SubmitField("Add follow-up")
