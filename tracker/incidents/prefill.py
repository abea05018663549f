"""Creating a risk from an incident in one step: the risk form prefilled from the incident,
and the new risk linked to it."""

from __future__ import annotations

from flask_login import current_user

from tracker.incidents import permissions, queries, services
from tracker.models import Incident, Risk, User
from tracker.risks.fields import SERVICE_MAX


def source_incident(key: str | None) -> Incident | None:
    """The incident a new risk is created from, when the user may link risks to it."""
    incident = queries.incident_by_key(key or "")
    if incident is None or not permissions.can_edit(current_user, incident):
        return None
    return incident


def fill_risk_form(form, incident: Incident) -> None:
    """What the incident tells about the risk it materialised: title, what happened, the
    service and the team (when the user may own risks for it)."""
    form.title.data = incident.title
    form.description.data = f"Materialised as {incident.key}. {incident.summary}".strip()
    form.service.data = ", ".join(incident.services)[:SERVICE_MAX]
    if any(choice.value == incident.team.slug for choice in form.team.choices):
        form.team.data = incident.team.slug
    form.from_incident.data = incident.key


def link_new_risk(incident: Incident | None, risk: Risk, actor: User) -> None:
    """Link the risk just created from `incident` to it."""
    if incident is not None:
        services.link_risk(incident, risk, actor, reason=f"{risk.key} created from it.")
