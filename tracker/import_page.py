"""The spreadsheet import pages (risks, incidents): upload, dry run, then import — one flow,
each page giving its template, its import's plan and apply functions and where to go after."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template
from flask_login import current_user

from tracker.forms import ImportForm
from tracker.imports import ImportPlan, ImportResult
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


# A plan of 10,000 rows (or problems) is megabytes of table: the page shows the first ones and
# counts the rest; the counts above it cover them all.
ROWS_SHOWN = 200


def import_page(
    template: str,
    plan_import: Callable[..., ImportPlan],
    apply_import: Callable[..., ImportResult],
    done_url: str,
    form: ImportForm | None = None,
):
    """The response of an import page: the form; a dry run's plan or the file's problems
    (400, the file kept for the next step); or, once applied, a redirect to `done_url`.

    `plan_import(text, actor=…, **options)` gets the options ticked on the form (`strict`,
    and those of an ImportForm subclass such as the risks' `create_teams`)."""
    form = form or ImportForm()
    if not form.validate_on_submit():
        return render_template(template, form=form, plan=None), 400 if form.errors else 200
    text = _submitted_text(form)
    if text is None:
        return render_template(template, form=form, plan=None), 400
    plan = plan_import(text, actor=current_user, **form.options())
    if not plan.valid or form.dry_run.data:
        form.content.data = text
        page = render_template(template, form=form, plan=plan, rows_shown=ROWS_SHOWN)
        return page, 200 if plan.valid else 400
    try:
        result = apply_import(plan, current_user)
    except ValidationError as exc:
        form.content.data = text
        flash(str(exc), "error")
        return render_template(template, form=form, plan=plan, rows_shown=ROWS_SHOWN), 400
    flash(
        f"Imported: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged.",
        "success",
    )
    return redirect(done_url)
