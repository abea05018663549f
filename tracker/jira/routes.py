"""Pages and buttons for Jira: links, following Jira, creating tickets, drift, sync runs."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import confirm
from tracker.extensions import db
from tracker.forms import PostForm
from tracker.jira import background, create, drift_groups, links, lock, queries
from tracker.jira.client import JiraUnavailable, connect
from tracker.jira.incident_drift import incident_drift
from tracker.jira.settings import JiraNotConfigured, JiraSettings
from tracker.mitigations import permissions as mitigation_permissions
from tracker.mitigations.queries import mitigation_or_404
from tracker.models import Risk, SyncRun
from tracker.paging import page_number, page_of_list
from tracker.risks.permissions import refusal
from tracker.risks.queries import risk_or_404
from tracker.security import roles_required
from tracker.team_filter import requested_slug
from tracker.validation import PermissionDenied, ValidationError

bp = Blueprint("jira", __name__)


@bp.app_context_processor
def jira_base():
    """Where ticket links point: the Jira site, when one is configured."""
    return {"jira_base": (current_app.config.get("JIRA_URL") or "").rstrip("/") or None}


def _back(item_url: str):
    return redirect(item_url + "#jira")


def _change_links(item, item_url: str, remove_key: str | None = None):
    if not PostForm().validate_on_submit():
        abort(400)
    if remove_key and not confirm.confirmed():
        try:
            links.check_permission(item, current_user)
        except PermissionDenied as exc:
            abort(403, str(exc))
        label = item.key if isinstance(item, Risk) else item.label
        return confirm.ask(
            f"Unlink {remove_key.upper()} from {label}?",
            f"The sync stops reading {remove_key.upper()} for {label} and its drift flags "
            "there go; linking it again starts afresh.",
            "Unlink",
            item_url + "#jira",
        )
    try:
        if remove_key:
            links.remove_link(item, remove_key, current_user)
            flash(f"Unlinked {remove_key.upper()}.", "success")
        else:
            link = links.add_link(item, request.form.get("key", ""), current_user)
            flash(f"Linked {link.ticket.key}; the next sync reads its state.", "success")
    except PermissionDenied as exc:
        abort(403, str(exc))
    except ValidationError as exc:
        flash(str(exc), "error")
    return _back(item_url)


@bp.post("/risks/<key>/jira-links")
def add_risk_link(key: str):
    risk = risk_or_404(key)
    return _change_links(risk, url_for("risks.detail", key=risk.key))


@bp.post("/risks/<key>/jira-links/<jira_key>/delete")
def remove_risk_link(key: str, jira_key: str):
    risk = risk_or_404(key)
    return _change_links(risk, url_for("risks.detail", key=risk.key), remove_key=jira_key)


@bp.post("/mitigations/<int:mitigation_id>/jira-links")
def add_mitigation_link(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    return _change_links(mitigation, url_for("mitigations.detail", mitigation_id=mitigation.id))


@bp.post("/mitigations/<int:mitigation_id>/jira-links/<jira_key>/delete")
def remove_mitigation_link(mitigation_id: int, jira_key: str):
    mitigation = mitigation_or_404(mitigation_id)
    url = url_for("mitigations.detail", mitigation_id=mitigation.id)
    return _change_links(mitigation, url, remove_key=jira_key)


@bp.post("/mitigations/<int:mitigation_id>/follow-jira")
def follow_jira(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        links.set_follow_jira(mitigation, request.form.get("follow") == "1", current_user)
    except PermissionDenied as exc:
        abort(403, str(exc))
    return _back(url_for("mitigations.detail", mitigation_id=mitigation.id))


@bp.post("/mitigations/<int:mitigation_id>/jira-ticket")
def create_ticket(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    if not mitigation_permissions.can_edit(current_user, mitigation):
        abort(403, refusal(current_user, mitigation.team, mitigation.label))
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        connection = connect(JiraSettings.from_config(current_app.config))
        _, message = create.create_ticket(
            connection, mitigation, current_user, request.form.get("token", "")
        )
        flash(message, "success")
    except PermissionDenied as exc:
        abort(403, str(exc))
    except (JiraNotConfigured, JiraUnavailable, ValidationError) as exc:
        flash(f"No ticket was created: {exc}", "error")
    return _back(url_for("mitigations.detail", mitigation_id=mitigation.id))


@bp.get("/jira/drift")
def drift():
    team = requested_slug()
    asked = request.args.get("kind", "")
    group = asked if asked in drift_groups.GROUPS else None
    view = drift_groups.drift_groups(team or None, group, page_number(request.args.get("page")))
    return render_template(
        "jira/drift.html",
        titles=drift_groups.TITLES,
        view=view,
        # A kind the page does not know shows every group, saying so.
        unknown_kind=asked if asked and not group else None,
        team=team,
        teams=queries.teams(),
        incident_drift=incident_drift,
    )


# Runs pile up (a sync every quarter hour is 35,000 a year); so can a run's messages.
RUNS_PER_PAGE = 50
PROBLEMS_PER_PAGE = 100


@bp.get("/jira/syncs")
@roles_required("admin")
def syncs():
    return render_template(
        "jira/syncs.html",
        runs=queries.sync_runs_page(page_number(request.args.get("page")), RUNS_PER_PAGE),
        form=PostForm(),
        busy=lock.held_until(),
        config_problem=_configuration_problem(),
    )


@bp.get("/jira/syncs/<int:run_id>")
@roles_required("admin")
def sync_run(run_id: int):
    run = db.get_or_404(SyncRun, run_id)
    problems = json.loads(run.problems or "[]")
    page = page_of_list(problems, page_number(request.args.get("page")), PROBLEMS_PER_PAGE)
    return render_template("jira/sync_run.html", run=run, problems=page)


@bp.post("/jira/syncs")
@roles_required("admin")
def sync_now():
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        settings = JiraSettings.from_config(current_app.config)
    except JiraNotConfigured as exc:
        flash(str(exc), "error")
        return redirect(url_for("jira.syncs"))
    if lock.held_until():
        flash("A sync is already running; its progress is below.", "info")
        return redirect(url_for("jira.syncs"))
    run = background.start_sync(settings, full=request.form.get("full") == "1")
    return redirect(url_for("jira.sync_run", run_id=run.id))


def _configuration_problem() -> str | None:
    try:
        JiraSettings.from_config(current_app.config)
    except JiraNotConfigured as exc:
        return str(exc)
    return None
