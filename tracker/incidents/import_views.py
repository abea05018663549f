"""The incidents' import page: upload, dry run, then import (tracker.import_page)."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from tracker.import_page import import_page
from tracker.incidents import csv_import, permissions
from tracker.incidents.blueprint import bp


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    if not permissions.can_report(current_user):
        abort(403)
    return import_page(
        "incidents/import.html",
        csv_import.plan_import,
        csv_import.apply_import,
        url_for("incidents.index"),
    )
