"""Buttons on a risk's page: change status, mark reviewed, archive and restore."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from tracker.edits import version_from_form
from tracker.extensions import db
from tracker.forms import apply_errors
from tracker.models import User
from tracker.risks import permissions, services
from tracker.risks.blueprint import bp
from tracker.risks.forms import ArchiveForm, ReviewForm, StatusForm
from tracker.risks.queries import risk_or_404
from tracker.risks.routes import approver_choices, render_detail
from tracker.validation import StaleVersion, ValidationError


def _approver(user_id: str | None) -> User | None:
    """The chosen approver, if it is an active admin or manager."""
    if not user_id or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if permissions.can_approve_acceptance(user) else None


def _back_to(risk):
    return redirect(url_for("risks.detail", key=risk.key))


@bp.post("/<key>/status")
def change_status(key: str):
    risk = risk_or_404(key)
    if not permissions.can_edit(current_user, risk):
        abort(403)
    form = StatusForm()
    form.approver.choices = approver_choices()
    if form.validate_on_submit():
        approver = _approver(form.approver.data)
        try:
            services.change_status(
                risk,
                form.status.data,
                current_user,
                reason=form.reason.data or "",
                approver=approver,
                expires_on=form.expires_on.data,
                expected_version=version_from_form(form.version.data),
            )
        except StaleVersion as stale:
            names = ", ".join(sorted({change.label for change in stale.changes})) or "it"
            flash(
                f"{risk.key} changed while you were looking ({names}); check and try again.",
                "error",
            )
            return _back_to(risk)
        except ValidationError as exc:
            apply_errors(form, exc)
            return render_detail(risk, status_form=form, code=400)
        flash(f"{risk.key} is now {risk.status}.", "success")
        return _back_to(risk)
    return render_detail(risk, status_form=form, code=400)


@bp.post("/<key>/review")
def review(key: str):
    risk = risk_or_404(key)
    if not permissions.can_edit(current_user, risk):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        services.mark_reviewed(risk, current_user, form.note.data or "")
        flash(f"Reviewed {risk.key}; next review {risk.next_review.isoformat()}.", "success")
    return _back_to(risk)


@bp.post("/<key>/archive")
def archive(key: str):
    risk = risk_or_404(key)
    if not permissions.can_archive(current_user):
        abort(403)
    form = ArchiveForm()
    if form.validate_on_submit():
        services.archive(risk, current_user, form.reason.data or "")
        flash(f"Archived {risk.key}; it left the register and can be restored.", "success")
    return _back_to(risk)


@bp.post("/<key>/restore")
def restore(key: str):
    risk = risk_or_404(key)
    if not permissions.can_archive(current_user):
        abort(403)
    if ArchiveForm().validate_on_submit():
        services.restore(risk, current_user)
        flash(f"Restored {risk.key} to the register.", "success")
    return _back_to(risk)
