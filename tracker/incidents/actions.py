"""Buttons and small forms on an incident's page: status, risk links, follow-ups."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.edits import version_from_form
from tracker.extensions import db
from tracker.forms import PostForm, apply_errors
from tracker.incidents import pages, permissions, queries, services
from tracker.incidents.blueprint import bp
from tracker.incidents.forms import FollowUpForm, LinkRiskForm, StatusForm
from tracker.mitigations import services as mitigation_services
from tracker.models import Team, User
from tracker.risks import permissions as risk_permissions
from tracker.risks.queries import risk_by_key as find_risk
from tracker.validation import StaleVersion, ValidationError


def _back_to(incident, anchor: str | None = None):
    return redirect(url_for("incidents.detail", key=incident.key, _anchor=anchor))


def _editable(key: str):
    incident = queries.incident_or_404(key)
    if not permissions.can_edit(current_user, incident):
        abort(403)
    return incident


def _changed_meanwhile(incident, stale: StaleVersion) -> None:
    names = ", ".join(sorted({change.label for change in stale.changes})) or "it"
    flash(f"{incident.key} changed meanwhile ({names}); check and try again.", "error")


@bp.post("/<key>/status")
def change_status(key: str):
    incident = _editable(key)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(
                incident,
                form.status.data,
                current_user,
                reason=form.reason.data or "",
                expected_version=version_from_form(form.version.data),
            )
        except StaleVersion as stale:
            _changed_meanwhile(incident, stale)
        except ValidationError as exc:
            apply_errors(form, exc)
            return pages.render_detail(incident, status_form=form, code=400)
        else:
            flash(f"{incident.key} is now {form.status.data}.", "success")
    return _back_to(incident)


@bp.post("/<key>/risks")
def link_risk(key: str):
    incident = _editable(key)
    form = LinkRiskForm()
    if form.validate_on_submit():
        risk = find_risk(form.key.data or "")
        try:
            if risk is None:
                raise ValidationError.single(
                    "key", f"No risk has the key {form.key.data!r}; give one such as RISK-3."
                )
            services.link_risk(incident, risk, current_user)
        except StaleVersion as stale:
            _changed_meanwhile(incident, stale)
        except ValidationError as exc:
            apply_errors(form, exc)
            return pages.render_detail(incident, link_form=form, code=400)
        else:
            flash(f"Linked {risk.key} to {incident.key}.", "success")
    return _back_to(incident, "risks")


@bp.post("/<key>/risks/<risk_key>/unlink")
def unlink_risk(key: str, risk_key: str):
    incident = _editable(key)
    risk = find_risk(risk_key)
    if risk is None:
        abort(404)
    if PostForm().validate_on_submit():
        try:
            services.unlink_risk(incident, risk, current_user)
        except StaleVersion as stale:
            _changed_meanwhile(incident, stale)
        except ValidationError as exc:
            flash(" ".join(exc.errors.values()), "error")
        else:
            flash(f"Unlinked {risk.key} from {incident.key}.", "success")
    return _back_to(incident, "risks")


@bp.route("/<key>/follow-ups/new", methods=["GET", "POST"])
def new_follow_up(key: str):
    incident = queries.incident_or_404(key)
    risks = pages.follow_up_risks(incident)
    if not risks:
        abort(403)
    form = FollowUpForm()
    _follow_up_choices(form, risks)
    if form.validate_on_submit():
        risk = next((r for r in risks if r.key == form.risk.data), None)
        raw = form.raw_values() | {"source_incident": incident.key, "horizon": form.horizon.data}
        try:
            if risk is None:
                raise ValidationError.single("risk", "Choose one of the incident's risks.")
            mitigation = mitigation_services.add_mitigation(risk, raw, current_user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added follow-up {mitigation.label} to {risk.key}.", "success")
            return _back_to(incident, "follow-ups")
    elif not form.is_submitted() and current_user.teams:
        form.team.data = current_user.teams[0].slug
    code = 400 if form.errors else 200
    return render_template("incidents/follow_up.html", form=form, incident=incident), code


def _follow_up_choices(form: FollowUpForm, risks) -> None:
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    form.set_choices(
        risk_permissions.editable_teams(current_user, list(teams)),
        db.session.scalars(db.select(User).where(User.active).order_by(User.display_name)),
    )
    form.risk.choices = [(risk.key, f"{risk.key} {risk.title}") for risk in risks]
