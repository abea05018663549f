"""What the incident page shows (shared by the page and the buttons that re-render it)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from tracker import clock
from tracker.domain import incidents as rules
from tracker.domain import mitigations as mitigation_rules
from tracker.incidents import history, permissions
from tracker.incidents.forms import LinkRiskForm, StatusForm
from tracker.jira.incident_drift import incident_drift
from tracker.mitigations import permissions as mitigation_permissions
from tracker.models import Incident
from tracker.risks import permissions as risk_permissions


def render_detail(
    incident: Incident,
    status_form: StatusForm | None = None,
    link_form: LinkRiskForm | None = None,
    code: int = 200,
):
    """The incident's page; a form given carries a refused change back with its errors."""
    now, today = clock.now(), clock.today()
    window = current_app.config["DUE_SOON_DAYS"]
    follow_ups = incident.follow_ups
    page = render_template(
        "incidents/detail.html",
        incident=incident,
        duration=rules.duration_minutes(incident.started_at, incident.resolved_at, now),
        timeline=history.timeline(incident),
        follow_ups={
            horizon: [m for m in follow_ups if m.horizon == horizon]
            for horizon in mitigation_rules.HORIZONS
        },
        horizon_labels=mitigation_rules.HORIZON_LABELS,
        due_states={
            m.id: mitigation_rules.due_state(m.status, m.due_date, today, window)
            for m in follow_ups
        },
        can_edit=permissions.can_edit(current_user, incident),
        can_create_risk=risk_permissions.can_create_risks(current_user),
        status_form=status_form
        or StatusForm(formdata=None, version=incident.version, status=_next(incident.status)),
        link_form=link_form or LinkRiskForm(formdata=None),
        unlink_form=LinkRiskForm(formdata=None),
        can_add_follow_up=bool(follow_up_risks(incident)),
        status_labels=rules.STATUS_LABELS,
        jira_drift=incident_drift(incident),
    )
    return page, code


def follow_up_risks(incident: Incident) -> list:
    """The incident's risks the current user may add a follow-up to (not archived ones)."""
    return [
        risk
        for risk in incident.risks
        if risk.archived_at is None and mitigation_permissions.can_add_to(current_user, risk)
    ]


def _next(status: str) -> str:
    order = rules.STATUSES
    return order[min(order.index(status) + 1, len(order) - 1)]
