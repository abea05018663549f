"""Mitigation pages: add to a risk, view, edit, reorder."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain import mitigations as rules
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.edits import save_edit
from tracker.extensions import db
from tracker.forms import apply_errors
from tracker.jira import create as jira_create
from tracker.jira import links as jira_links
from tracker.jira import queries as jira_queries
from tracker.mitigations import permissions, services
from tracker.mitigations.forms import MitigationForm, MoveForm
from tracker.mitigations.queries import mitigation_or_404
from tracker.models import RiskEvent, Team, User
from tracker.risks import permissions as risk_permissions
from tracker.risks.queries import risk_or_404
from tracker.validation import ValidationError

bp = Blueprint("mitigations", __name__)


def _form_choices(form: MitigationForm, default_team: Team) -> None:
    """Teams the user may give work to, and owners: members of the chosen team first (the
    submitted one, else `default_team`), then the others; never viewers."""
    teams = risk_permissions.editable_teams(
        current_user, list(db.session.scalars(db.select(Team).order_by(Team.name)))
    )
    chosen = next((t for t in teams if t.slug == form.team.data), None)
    if chosen is None:
        chosen = default_team if default_team in teams else (teams[0] if teams else None)
        if not form.is_submitted():
            form.team.data = chosen.slug if chosen else None
    users = db.session.scalars(
        db.select(User)
        .where(User.active)
        .options(selectinload(User.teams))
        .order_by(User.display_name)
    )
    form.set_choices(teams, list(users), owning_team=chosen)


@bp.route("/risks/<key>/mitigations/new", methods=["GET", "POST"])
def new(key: str):
    risk = risk_or_404(key)
    if not permissions.can_add_to(current_user, risk):
        abort(403, "Only an admin, or a manager in a team, adds mitigations.")
    if risk.archived_at:
        abort(403, f"{risk.key} is archived; an admin restores it before it takes new work.")
    form = MitigationForm()
    # The risk's team does the work unless the user may not give it work.
    _form_choices(form, default_team=risk.team)
    if form.validate_on_submit():
        try:
            mitigation = services.add_mitigation(risk, form.raw_values(), current_user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added {mitigation.label} to {risk.key}.", "success")
            return redirect(url_for("risks.detail", key=risk.key, _anchor="mitigations"))
    return render_template("mitigations/form.html", form=form, risk=risk, mitigation=None), (
        400 if form.errors else 200
    )


@bp.get("/mitigations/<int:mitigation_id>")
def detail(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    due_dates = db.session.scalars(
        db.select(RiskEvent)
        .where(RiskEvent.mitigation_id == mitigation.id, RiskEvent.field == "due_date")
        .order_by(RiskEvent.id)
    ).all()
    return render_template(
        "mitigations/detail.html",
        mitigation=mitigation,
        risk=mitigation.risk,
        due_dates=due_dates,
        state=rules.due_state(
            mitigation.status,
            mitigation.due_date,
            clock.today(),
            current_app.config["DUE_SOON_DAYS"],
        ),
        can_edit=permissions.can_edit(current_user, mitigation),
        horizon_labels=rules.HORIZON_LABELS,
        jira_links=jira_links.links_of(mitigation),
        drift_flags=jira_queries.flags_for_mitigation(mitigation),
        drift_kinds=DRIFT_KINDS,
        can_create_ticket=bool(
            current_app.config.get("JIRA_URL") and current_app.config.get("JIRA_PROJECT")
        ),
        create_token=jira_create.new_token(),
    )


@bp.route("/mitigations/<int:mitigation_id>/edit", methods=["GET", "POST"])
def edit(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    if not permissions.can_edit(current_user, mitigation):
        abort(403, risk_permissions.refusal(current_user, mitigation.team, mitigation.label))
    form = MitigationForm()
    if not form.is_submitted():
        form.fill_from(mitigation)
    _form_choices(form, default_team=mitigation.team)
    conflict = None
    if form.is_submitted() and form.validate():
        save = partial(services.update_mitigation, mitigation, form.raw_values(), current_user)
        saved, conflict = save_edit(form, save, lambda: mitigation.version)
        if saved:
            flash(f"Saved {mitigation.label}.", "success")
            return redirect(url_for("risks.detail", key=mitigation.risk.key, _anchor="mitigations"))
    status = 409 if conflict else (400 if form.errors else 200)
    return render_template(
        "mitigations/form.html",
        form=form,
        risk=mitigation.risk,
        mitigation=mitigation,
        conflict=conflict,
    ), status


@bp.post("/mitigations/<int:mitigation_id>/move")
def move(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    if not permissions.can_reorder(current_user, mitigation.risk):
        risk = mitigation.risk
        abort(
            403,
            risk_permissions.refusal(
                current_user, risk.team, f"The order of {risk.key}'s mitigations"
            ),
        )
    form = MoveForm()
    if form.validate_on_submit():
        services.move(mitigation, form.direction.data, current_user)
    return redirect(url_for("risks.detail", key=mitigation.risk.key, _anchor="mitigations"))
