"""The risk register's import page: upload, dry run, then import (tracker.import_page)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from tracker.import_page import import_page
from tracker.risks import permissions
from tracker.risks.blueprint import bp
from tracker.risks.forms import RiskImportForm


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    if not permissions.can_create_risks(current_user):
        abort(403)
    from tracker.risks import csv_import

    form = RiskImportForm()
    if current_user.role != "admin":
        del form.create_teams  # only admins create teams
    return import_page(
        "risks/import.html",
        csv_import.plan_import,
        csv_import.apply_import,
        url_for("risks.register", sort="-updated"),
        form,
    )
