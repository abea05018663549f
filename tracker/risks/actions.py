"""Buttons on a risk's page: change status, mark reviewed, archive and restore."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from tracker import confirm, refused
from tracker.domain import lifecycle
from tracker.edits import version_from_form
from tracker.extensions import db
from tracker.models import User
from tracker.risks import permissions, services
from tracker.risks.blueprint import bp
from tracker.risks.fields import FieldError, parse_date
from tracker.risks.forms import ArchiveForm, ReviewForm, StatusForm
from tracker.risks.queries import risk_or_404
from tracker.risks.routes import approver_choices
from tracker.validation import StaleVersion, ValidationError

# The status form's fields a refusal gives back to the page.
STATUS_INPUTS = ("status", "reason", "approver", "expires_on", "version")


def _approver(user_id: str | None) -> User | None:
    """The chosen approver, if it is an active admin or manager."""
    if not user_id or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if permissions.can_approve_acceptance(user) else None


def _back_to(risk):
    return redirect(url_for("risks.detail", key=risk.key))


def _expiry(text: str | None) -> date | None:
    if not (text or "").strip():
        return None
    try:
        return parse_date(text, "acceptance expiry date")
    except FieldError as exc:
        raise ValidationError.single("expires_on", str(exc)) from None


@bp.post("/<key>/status")
def change_status(key: str):
    """Move the risk; a refusal goes back to the risk's page with the input and the messages
    (a redirect, so refreshing never posts the change again)."""
    risk = risk_or_404(key)
    if not permissions.can_edit(current_user, risk):
        abort(403, permissions.refusal(current_user, risk.team, risk.key))
    form = StatusForm()
    form.approver.choices = approver_choices()
    try:
        if not form.validate_on_submit():
            raise ValidationError({name: errors[0] for name, errors in form.errors.items()})
        services.change_status(
            risk,
            form.status.data,
            current_user,
            reason=form.reason.data or "",
            approver=_approver(form.approver.data),
            expires_on=_expiry(form.expires_on.data),
            expected_version=version_from_form(form.version.data),
        )
    except StaleVersion as stale:
        names = ", ".join(sorted({change.label for change in stale.changes})) or "it"
        flash(f"{risk.key} changed while you were looking ({names}); check and try again.", "error")
    except ValidationError as exc:
        values = {name: form[name].data for name in STATUS_INPUTS}
        refused.keep("status", risk.key, values, exc.errors)
        return redirect(url_for("risks.detail", key=risk.key, _anchor="status"))
    else:
        flash(f"{risk.key} is now {lifecycle.STATUS_LABELS[risk.status].lower()}.", "success")
    return _back_to(risk)


@bp.post("/<key>/review")
def review(key: str):
    risk = risk_or_404(key)
    if not permissions.can_edit(current_user, risk):
        abort(403, permissions.refusal(current_user, risk.team, risk.key))
    form = ReviewForm()
    if form.validate_on_submit():
        services.mark_reviewed(risk, current_user, form.note.data or "")
        flash(f"Reviewed {risk.key}; next review {risk.next_review.isoformat()}.", "success")
    return _back_to(risk)


@bp.post("/<key>/archive")
def archive(key: str):
    risk = risk_or_404(key)
    if not permissions.can_archive(current_user):
        abort(403, "Only an admin archives or restores a risk.")
    form = ArchiveForm()
    if form.validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            f"Archive {risk.key}?",
            "It leaves the register, the dashboard and the reviews; its history stays, and an "
            "admin can restore it.",
            "Archive",
            url_for("risks.detail", key=risk.key),
        )
    if form.validate_on_submit():
        services.archive(risk, current_user, form.reason.data or "")
        flash(f"Archived {risk.key}; it left the register and can be restored.", "success")
    return _back_to(risk)


@bp.post("/<key>/restore")
def restore(key: str):
    risk = risk_or_404(key)
    if not permissions.can_archive(current_user):
        abort(403, "Only an admin archives or restores a risk.")
    if ArchiveForm().validate_on_submit():
        services.restore(risk, current_user)
        flash(f"Restored {risk.key} to the register.", "success")
    return _back_to(risk)
