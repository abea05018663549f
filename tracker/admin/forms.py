"""Forms for the admin pages: users and teams."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.forms import ChoiceField, MultipleChoiceField, choices, too_long
from tracker.models import ROLE_LABELS


class CheckboxListField(MultipleChoiceField):
    """Several choices as a list of checkboxes, which reads better than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_field() -> ChoiceField:
    return ChoiceField("Role", choices=choices(ROLE_LABELS.items()), default="viewer")


class UserCreateForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter an email."), Length(max=254, message=too_long(254))],
    )
    display_name = StringField(
        "Name", validators=[InputRequired("Enter a name."), Length(max=120, message=too_long(120))]
    )
    role = _role_field()
    teams = CheckboxListField("Teams", choices=[])
    password = PasswordField(
        "Initial password",
        validators=[InputRequired("Enter an initial password.")],
        description=(
            "At least 12 characters. Tell the user; they change it by clicking their name "
            "in the top bar."
        ),
    )
    submit = SubmitField("Create user")


class UserEditForm(FlaskForm):
    display_name = StringField(
        "Name", validators=[InputRequired("Enter a name."), Length(max=120, message=too_long(120))]
    )
    role = _role_field()
    teams = CheckboxListField("Teams", choices=[])
    role_overridden = BooleanField(
        "Keep this role (override the provider's groups)",
        description=(
            "The provider's groups set the role at every single sign-on; tick to keep the role "
            "chosen here instead, until the override is cleared."
        ),
    )
    active = BooleanField(
        "Active", description="Inactive users cannot sign in; their records stay."
    )
    submit = SubmitField("Save")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired("Enter a new password.")],
        description="Signs the user out of every session.",
    )
    submit = SubmitField("Set password")


def _slug_field(example: str) -> StringField:
    return StringField(
        "Slug",
        validators=[InputRequired("Enter a slug."), Length(max=64, message=too_long(64))],
        description=f"Short id used in links, CSV files, the CLI and the API, e.g. {example}.",
    )


class RenameForm(FlaskForm):
    name = StringField(
        "Name", validators=[InputRequired("Enter a name."), Length(max=120, message=too_long(120))]
    )
    submit = SubmitField("Rename")


class TeamCreateForm(RenameForm):
    slug = _slug_field("payments-sre")
    join = BooleanField(
        "Make me a member",
        description="Members see the team's work under My teams and get its weekly digest.",
    )
    submit = SubmitField("Create team")


class CategoryForm(RenameForm):
    slug = _slug_field("dns")
    submit = SubmitField("Add category")


class AddMemberForm(FlaskForm):
    # An email, not a list to pick from: a company's thousands of users make no usable list.
    email = EmailField(
        "Add a member by email",
        validators=[InputRequired("Give the email of the user to add."), Length(max=254)],
    )
    submit = SubmitField("Add")
