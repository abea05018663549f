"""Register, detail, create and edit pages for risks."""

from __future__ import annotations

import io
from functools import partial

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock, refused
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.edits import save_edit
from tracker.extensions import db
from tracker.forms import apply_errors, choices
from tracker.incidents import prefill
from tracker.incidents.materialised import latest_incidents_of, materialised_for
from tracker.jira import links as jira_links
from tracker.jira import queries as jira_queries
from tracker.mitigations import queries as mitigation_queries
from tracker.mitigations import views as mitigation_views
from tracker.models import Category, Risk, Team, User
from tracker.paging import page_number
from tracker.risks import charts, history, permissions, queries, services
from tracker.risks import settings as scoring_settings
from tracker.risks.blueprint import bp
from tracker.risks.forms import ArchiveForm, ReviewForm, RiskForm, StatusForm
from tracker.validation import ValidationError

# A risk reviewed weekly for years keeps thousands of changes; its page shows them 50 at a time.
HISTORY_PER_PAGE = 50


def _form_choices(form: RiskForm) -> None:
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    form.set_choices(
        scoring_settings.current(),
        db.session.scalars(db.select(Category).order_by(Category.position, Category.name)),
        permissions.editable_teams(current_user, list(teams)),
        db.session.scalars(db.select(User).where(User.active).order_by(User.display_name)),
    )


@bp.get("")
def register():
    view = queries.RegisterFilter.from_args(request.args)
    settings = scoring_settings.current()
    today, window = clock.today(), current_app.config["DUE_SOON_DAYS"]
    page = queries.register_page(
        view, settings, current_app.config["RISKS_PER_PAGE"], today, window
    )
    return render_template(
        "risks/list.html",
        page=page,
        view=view,
        settings=settings,
        today=today,
        choices=queries.filter_choices(),
        can_create=permissions.can_create_risks(current_user),
        mitigation_counts=mitigation_queries.counts_by_risk(
            [risk.id for risk in page.items], today, window
        ),
    )


@bp.get("/export.csv")
def export_csv():
    from tracker.risks.csv_export import export_risks

    view = queries.RegisterFilter.from_args(request.args)
    if view.problems:
        # A file has no place for "ignored": rather than a different set of rows, say what to fix.
        text = "\n".join(["Nothing was exported; fix the address:", *view.problems])
        return Response(text + "\n", 400, mimetype="text/plain")
    query = queries.filtered(
        view, scoring_settings.current(), clock.today(), current_app.config["DUE_SOON_DAYS"]
    )
    risks = db.session.scalars(queries.with_display_relations(query)).unique()
    out = io.StringIO()
    export_risks(risks, out)
    filename = f"risks-{clock.today().isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not permissions.can_create_risks(current_user):
        abort(403)
    form = RiskForm()
    _form_choices(form)
    source = prefill.source_incident(request.args.get("from_incident") or form.from_incident.data)
    if form.validate_on_submit():
        try:
            risk = services.create_risk(form.raw_values(), current_user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            prefill.link_new_risk(source, risk, current_user)
            flash(f"Created {risk.key}.", "success")
            return redirect(url_for("risks.detail", key=risk.key))
    elif not form.is_submitted() and source is not None:
        prefill.fill_risk_form(form, source)
    code = 400 if form.errors else 200
    return render_template("risks/form.html", form=form, risk=None, source=source), code


@bp.get("/<key>")
def detail(key: str):
    return render_detail(queries.risk_or_404(key))


def status_form_for(risk: Risk) -> StatusForm:
    """The status form: the moves the lifecycle allows from the risk's status, with the input
    and messages of a status change refused just before, if any."""
    kept = refused.take("status", risk.key)
    form = StatusForm(formdata=None, data=kept["input"] if kept else {"version": risk.version})
    form.approver.choices = approver_choices()
    form.offer_moves(risk.status)
    if kept:
        apply_errors(form, ValidationError(kept["errors"]))
    return form


def render_detail(risk: Risk, code: int = 200):
    """The risk's page."""
    settings = scoring_settings.current()
    timeline = history.timeline_page(risk, page_number(request.args.get("page")), HISTORY_PER_PAGE)
    points = charts.score_points(
        {name: getattr(risk, name) for name in charts.SCORE_PARTS},
        risk.created_at,
        history.changes_to(risk, charts.SCORE_PARTS),
        clock.now(),
    )
    status_form = status_form_for(risk)
    mitigations = mitigation_views.for_risk_page(risk, current_user)
    page = render_template(
        "risks/detail.html",
        risk=risk,
        settings=settings,
        today=clock.today(),
        timeline=timeline,
        chart=charts.step_chart(points),
        points=points,
        can_edit=permissions.can_edit(current_user, risk),
        can_archive=permissions.can_archive(current_user),
        status_form=status_form,
        review_form=ReviewForm(formdata=None),
        archive_form=ArchiveForm(formdata=None),
        risk_links=jira_links.links_of(risk),
        drift_flags=jira_queries.flags_for_risk(risk),
        drift_kinds=DRIFT_KINDS,
        materialised=materialised_for(risk.id, clock.now()),
        linked_incidents=latest_incidents_of(risk.id),
        **mitigations,
    )
    return page, code


def approver_choices():
    """Who may approve accepting a risk: active admins and managers."""
    users = db.session.scalars(
        db.select(User)
        .where(User.active, User.role.in_(("admin", "manager")))
        .order_by(User.display_name)
    )
    return choices([("", "— choose —")] + [(str(u.id), u.display_name) for u in users])


@bp.route("/<key>/edit", methods=["GET", "POST"])
def edit(key: str):
    risk = queries.risk_or_404(key)
    if not permissions.can_edit(current_user, risk):
        abort(403, permissions.refusal(current_user, risk.team, risk.key))
    form = RiskForm()
    _form_choices(form)
    conflict = None
    if not form.is_submitted():
        form.fill_from(risk)
    elif form.validate():
        save = partial(services.update_risk, risk, form.raw_values(), current_user)
        saved, conflict = save_edit(form, save, lambda: risk.version)
        if saved:
            flash(f"Saved {risk.key}.", "success")
            return redirect(url_for("risks.detail", key=risk.key))
    status = 409 if conflict else (400 if form.errors else 200)
    return render_template("risks/form.html", form=form, risk=risk, conflict=conflict), status
