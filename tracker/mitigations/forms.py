"""Forms for mitigations; values are validated by tracker.mitigations.fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField

from tracker.domain.mitigations import HORIZON_LABELS, STATUS_LABELS
from tracker.forms import choices
from tracker.mitigations.fields import EDITABLE_FIELDS, FOLLOW_UP_FIELDS, OWNER_ROLES


def status_choices():
    return choices(STATUS_LABELS.items())


class MitigationForm(FlaskForm):
    title = StringField("Title")
    description = TextAreaField("Description")
    team = SelectField("Team", validate_choice=False)
    owner = SelectField("Owner", validate_choice=False)
    # Text, not DateField: the service parses it and says what is wrong with what was typed.
    due_date = StringField("Due date", render_kw={"type": "date"})
    status = SelectField("Status", choices=status_choices(), validate_choice=False)
    notes = TextAreaField("Notes", description="When blocked: say on what.")
    source_incident = StringField(
        "Follow-up of incident",
        description="INC-n, linked to this risk, when an incident review asked for this work.",
    )
    horizon = SelectField(
        "Horizon",
        choices=choices([("", "— not a follow-up —"), *HORIZON_LABELS.items()]),
        validate_choice=False,
    )
    reason = StringField("Why the due date moves", description="Needed when the due date changes.")
    version = HiddenField()
    submit = SubmitField("Save mitigation")

    def set_choices(self, teams, users, owning_team=None) -> None:
        """Teams the user may give work to; owners are `owning_team`'s members first, then
        everyone else who may own work (admins and managers)."""
        self.team.choices = choices((team.slug, team.name) for team in teams)
        owners = [user for user in users if user.role in OWNER_ROLES]
        members = [u for u in owners if owning_team is not None and owning_team in u.teams]
        others = [u for u in owners if u not in members]
        # WTForms cannot mix options and groups: "nobody yet" opens the first group.
        nobody = [("", "— nobody yet —")]
        groups = {}
        if members:
            groups[f"{owning_team.name} team"] = nobody + [
                (u.email, u.display_name) for u in members
            ]
        others_name = "Other people" if members else "People"
        groups[others_name] = ([] if members else nobody) + [
            (u.email, u.display_name) for u in others
        ]
        self.owner.choices = {name: pairs for name, pairs in groups.items() if pairs}

    def raw_values(self, fields=(*EDITABLE_FIELDS, *FOLLOW_UP_FIELDS)) -> dict[str, object]:
        return {name: getattr(self, name).data for name in fields}

    def fill_from(self, mitigation) -> None:
        self.title.data = mitigation.title
        self.description.data = mitigation.description
        self.team.data = mitigation.team.slug
        self.owner.data = mitigation.owner.email if mitigation.owner else ""
        self.due_date.data = mitigation.due_date.isoformat()
        self.status.data = mitigation.status
        self.notes.data = mitigation.notes
        incident = mitigation.source_incident
        self.source_incident.data = incident.key if incident else ""
        self.horizon.data = mitigation.horizon or ""
        self.version.data = str(mitigation.version)


class QuickUpdateForm(FlaskForm):
    """One row of the "My teams" page: status, due date (+ reason), a note."""

    status = SelectField("Status", choices=status_choices(), validate_choice=False)
    due_date = StringField("Due date")
    reason = StringField("Why the date moves")
    note = StringField("Note")
    version = HiddenField()
    submit = SubmitField("Update")


class MoveForm(FlaskForm):
    direction = HiddenField()
