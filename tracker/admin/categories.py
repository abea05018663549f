"""Admin pages for the list of risk categories."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from tracker import confirm
from tracker.admin.forms import CategoryForm, RenameForm
from tracker.admin.routes import bp
from tracker.extensions import db
from tracker.forms import PostForm, apply_errors
from tracker.models import Category
from tracker.risks import categories
from tracker.validation import ValidationError


def _page(form=None, status: int = 200):
    return render_template(
        "admin/categories.html",
        rows=categories.list_with_usage(),
        form=form or CategoryForm(formdata=None),
        rename_form=RenameForm(formdata=None),
        delete_form=PostForm(),
    ), status


@bp.get("/categories")
def category_list():
    return _page()


@bp.post("/categories")
def category_create():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = categories.create_category(form.slug.data, form.name.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Added the category {category.name}.", "success")
            return redirect(url_for("admin.category_list"))
    return _page(form, 400)


@bp.post("/categories/<slug>/rename")
def category_rename(slug: str):
    category = db.one_or_404(db.select(Category).filter_by(slug=slug))
    form = RenameForm()
    if form.validate_on_submit():
        try:
            categories.rename_category(category, form.name.data)
        except ValidationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Renamed {slug} to {category.name}.", "success")
    else:
        flash("Enter a name.", "error")
    return redirect(url_for("admin.category_list"))


@bp.post("/categories/<slug>/delete")
def category_delete(slug: str):
    category = db.one_or_404(db.select(Category).filter_by(slug=slug))
    if PostForm().validate_on_submit() and not confirm.confirmed():
        return confirm.ask(
            f"Remove the category {category.name}?",
            "CSV files and the API can no longer use its slug; add it again to bring it back.",
            "Remove",
            url_for("admin.category_list"),
        )
    if PostForm().validate_on_submit():
        try:
            categories.delete_category(category)
        except ValidationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Removed the category {slug}.", "success")
    return redirect(url_for("admin.category_list"))
