"""The incident list and its export, the incident page, and the create and edit forms."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from tracker import clock
from tracker.edits import save_edit
from tracker.extensions import db
from tracker.forms import apply_errors
from tracker.incidents import pages, permissions, queries, services
from tracker.incidents.attention import INCIDENT_LISTS
from tracker.incidents.blueprint import bp
from tracker.incidents.csv_export import csv_lines
from tracker.incidents.forms import IncidentForm
from tracker.incidents.settings import severities
from tracker.models import Team
from tracker.validation import ValidationError


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _form_choices(form: IncidentForm) -> None:
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    form.set_choices(
        severities(),
        permissions.editable_teams(current_user, list(teams)),
        queries.commanders(),
    )


@bp.get("")
def index():
    view = queries.IncidentFilter.from_args(request.args, severities())
    page = queries.incident_page(view, _zone(), current_app.config["INCIDENTS_PER_PAGE"])
    return render_template(
        "incidents/list.html",
        page=page,
        view=view,
        severities=severities(),
        choices=queries.filter_choices(),
        can_create=permissions.can_report(current_user),
        now=clock.now(),
        attention_lists=INCIDENT_LISTS,
    )


@bp.get("/export.csv")
def export_csv():
    view = queries.IncidentFilter.from_args(request.args, severities())
    query = queries.with_list_relations(queries.filtered(view, _zone()))
    incidents = db.session.scalars(query.execution_options(yield_per=500))
    filename = f"incidents-{clock.today().isoformat()}.csv"
    return Response(
        stream_with_context(csv_lines(incidents, clock.now())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not permissions.can_report(current_user):
        abort(403)
    form = IncidentForm()
    _form_choices(form)
    if form.validate_on_submit():
        try:
            incident = services.create_incident(form.raw_values(), current_user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(f"Recorded {incident.key}.", "success")
            return redirect(url_for("incidents.detail", key=incident.key))
    elif not form.is_submitted() and current_user.teams:
        form.team.data = current_user.teams[0].slug
    code = 400 if form.errors else 200
    return render_template("incidents/form.html", form=form, incident=None), code


@bp.get("/<key>")
def detail(key: str):
    return pages.render_detail(queries.incident_or_404(key))


@bp.route("/<key>/edit", methods=["GET", "POST"])
def edit(key: str):
    incident = queries.incident_or_404(key)
    if not permissions.can_edit(current_user, incident):
        abort(403)
    form = IncidentForm()
    _form_choices(form)
    conflict = None
    if not form.is_submitted():
        form.fill_from(incident, _zone())
    elif form.validate():
        save = partial(services.update_incident, incident, form.raw_values(), current_user)
        saved, conflict = save_edit(form, save, lambda: incident.version)
        if saved:
            flash(f"Saved {incident.key}.", "success")
            return redirect(url_for("incidents.detail", key=incident.key))
    code = 409 if conflict else (400 if form.errors else 200)
    return render_template(
        "incidents/form.html", form=form, incident=incident, conflict=conflict
    ), code
