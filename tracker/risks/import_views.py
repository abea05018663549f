"""The spreadsheet import page: upload, dry run, then import."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.risks import permissions
from tracker.risks.blueprint import bp
from tracker.risks.forms import ImportForm
from tracker.validation import ValidationError


def _submitted_text(form: ImportForm) -> str | None:
    """The CSV text: a new upload, or the file carried over from the dry run."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = ["The file is not UTF-8 text. Save it as “CSV UTF-8” and retry."]
            return None
    if form.content.data:
        return form.content.data
    form.file.errors = ["Choose a CSV file."]
    return None


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    if not permissions.can_create_risks(current_user):
        abort(403)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template(
            "risks/import.html", form=form, plan=None
        ), 400 if form.errors else 200
    text = _submitted_text(form)
    if text is None:
        return render_template("risks/import.html", form=form, plan=None), 400
    from tracker.risks import csv_import

    plan = csv_import.plan_import(text, actor=current_user)
    if not plan.valid or form.dry_run.data:
        form.content.data = text
        return render_template(
            "risks/import.html", form=form, plan=plan
        ), 200 if plan.valid else 400
    try:
        result = csv_import.apply_import(plan, current_user)
    except ValidationError as exc:
        form.content.data = text
        flash(str(exc), "error")
        return render_template("risks/import.html", form=form, plan=plan), 400
    flash(_summary(result), "success")
    return redirect(url_for("risks.register", sort="-updated"))


def _summary(result) -> str:
    return (
        f"Imported: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
