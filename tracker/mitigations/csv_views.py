"""The mitigations as a spreadsheet: the import page (upload, dry run, import) and the export."""

from __future__ import annotations

import io

from flask import Response, abort, url_for
from flask_login import current_user

from tracker import clock
from tracker.import_page import import_page
from tracker.mitigations import csv_import
from tracker.mitigations.csv_format import export_all
from tracker.mitigations.routes import bp


@bp.route("/mitigations/import", methods=["GET", "POST"])
def import_csv():
    if not csv_import.may_import(current_user):
        abort(403)
    return import_page(
        "mitigations/import.html",
        csv_import.plan_import,
        csv_import.apply_import,
        url_for("mitigations.my_teams") if current_user.teams else url_for("risks.register"),
    )


@bp.get("/mitigations/export.csv")
def export_csv():
    """Every mitigation of the risks not archived, as the import reads them."""
    out = io.StringIO()
    export_all(out)
    filename = f"mitigations-{clock.today().isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
