"""Admin pages: create users and teams, change roles and memberships, deactivate users."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import confirm
from tracker.accounts import queries
from tracker.accounts import services as accounts
from tracker.accounts.history import events_of
from tracker.admin.forms import (
    AddMemberForm,
    RenameForm,
    ResetPasswordForm,
    TeamCreateForm,
    UserCreateForm,
    UserEditForm,
)
from tracker.auth.sessions import renew_session
from tracker.extensions import db
from tracker.forms import PostForm, apply_errors, choices
from tracker.models import Team, User
from tracker.paging import page_number
from tracker.security import roles_required
from tracker.sso import accounts as sso_accounts
from tracker.sso import client as sso_client
from tracker.validation import ValidationError

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required("admin")
def admins_only():
    """Every page here is for admins."""


def _team_choices() -> list[tuple[str, str]]:
    return choices(queries.team_names())


def _groups_decide_roles() -> bool:
    sso = sso_client.settings()
    return bool(sso and sso.groups_decide_roles)


def _user_page_extras(user: User) -> dict:
    """What the user's page shows besides the forms: their history, and the override box."""
    return {"events": events_of(user), "groups_decide_roles": _groups_decide_roles()}


def _render(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


# Users, teams and a team's members, a page at a time: a company has thousands of users.
PER_PAGE = 50


def _search_and_page() -> tuple[str, int]:
    return queries.search_text(request.args.get("q")), page_number(request.args.get("page"))


@bp.get("/users")
def users():
    q, page = _search_and_page()
    return render_template(
        "admin/users.html",
        users=queries.users_page(q, page, PER_PAGE),
        q=q,
        unknown_teams=sso_accounts.unknown_teams(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.teams.choices = _team_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data,
                form.display_name.data,
                form.role.data,
                form.password.data,
                form.teams.data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Created {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return _render("admin/user_new.html", form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    form.teams.choices = _team_choices()
    if not form.is_submitted():
        form.teams.data = [team.slug for team in user.teams]
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user,
                display_name=form.display_name.data,
                role=form.role.data,
                active=form.active.data,
                team_slugs=form.teams.data,
                role_overridden=form.role_overridden.data if _groups_decide_roles() else None,
                actor=current_user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return _render(
        "admin/user_edit.html",
        form,
        user=user,
        password_form=ResetPasswordForm(formdata=None),
        **_user_page_extras(user),
    )


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if user.id == current_user.id:
                # The reset ended every session of the user; keep this one signed in.
                renew_session(user)
            flash(f"Set a new password for {user.email}.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    edit_form = UserEditForm(obj=user, formdata=None)
    edit_form.teams.choices = _team_choices()
    edit_form.teams.data = [team.slug for team in user.teams]
    return render_template(
        "admin/user_edit.html",
        form=edit_form,
        user=user,
        password_form=form,
        **_user_page_extras(user),
    ), 400


@bp.get("/teams")
def teams():
    q, page = _search_and_page()
    shown = queries.teams_page(q, page, PER_PAGE)
    return render_template(
        "admin/teams.html", teams=shown, q=q, members=queries.member_counts(shown.items)
    )


@bp.route("/teams/new", methods=["GET", "POST"])
def team_new():
    form = TeamCreateForm()
    if form.validate_on_submit():
        try:
            members = [current_user] if form.join.data else []
            team = accounts.create_team(form.slug.data, form.name.data, members)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            joined = "; you are a member" if members else ""
            flash(f"Created team {team.name}{joined}.", "success")
            return redirect(url_for("admin.team_detail", slug=team.slug))
    return _render("admin/team_new.html", form)


def _team_page(team: Team, rename_form=None, member_form=None, status: int = 200):
    return render_template(
        "admin/team_detail.html",
        team=team,
        members=queries.members_page(team, page_number(request.args.get("page")), PER_PAGE),
        rename_form=rename_form or RenameForm(obj=team, formdata=None),
        member_form=member_form or AddMemberForm(formdata=None),
        remove_form=PostForm(),
    ), status


@bp.get("/teams/<slug>")
def team_detail(slug: str):
    return _team_page(db.one_or_404(db.select(Team).filter_by(slug=slug)))


@bp.post("/teams/<slug>/rename")
def team_rename(slug: str):
    team = db.one_or_404(db.select(Team).filter_by(slug=slug))
    form = RenameForm()
    if form.validate_on_submit():
        try:
            accounts.rename_team(team, form.name.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash("Renamed the team.", "success")
            return redirect(url_for("admin.team_detail", slug=team.slug))
    return _team_page(team, rename_form=form, status=400)


@bp.post("/teams/<slug>/members")
def team_add_member(slug: str):
    team = db.one_or_404(db.select(Team).filter_by(slug=slug))
    form = AddMemberForm()
    if form.validate_on_submit():
        user = queries.active_user_by_email(form.email.data)
        if user is not None:
            accounts.add_member(team, user)
            flash(f"Added {user.display_name} to {team.name}.", "success")
            return redirect(url_for("admin.team_detail", slug=team.slug))
        form.email.errors.append(f"No active user has the email {form.email.data.strip()}.")
    return _team_page(team, member_form=form, status=400)


@bp.post("/teams/<slug>/members/<int:user_id>/remove")
def team_remove_member(slug: str, user_id: int):
    team = db.one_or_404(db.select(Team).filter_by(slug=slug))
    user = db.get_or_404(User, user_id)
    # Back to the page of members the button was on.
    back = url_for("admin.team_detail", slug=team.slug, page=request.args.get("page", type=int))
    if PostForm().validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            f"Remove {user.display_name} from {team.name}?",
            f"{user.display_name} leaves {team.name}'s My teams page and digest"
            + (
                " and can no longer change its risks and mitigations."
                if user.role == "manager"
                else "."
            ),
            "Remove from the team",
            back,
        )
    if PostForm().validate_on_submit():
        accounts.remove_member(team, user)
        flash(f"Removed {user.display_name} from {team.name}.", "success")
    return redirect(back)
