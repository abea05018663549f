"""Who may do what with an incident: as with risks, admins all, managers their own teams'
incidents, viewers read. Checked on the server for every page, form and API call."""

from __future__ import annotations

from tracker.models import Incident, Team, User
from tracker.risks.permissions import can_create_in, can_create_risks, editable_teams, team_ids

__all__ = ["can_create_in", "can_edit", "can_report", "editable_teams"]


def can_report(user: User) -> bool:
    """Whether the user may record incidents at all (for some team)."""
    return can_create_risks(user)


def can_edit(user: User, incident: Incident) -> bool:
    """Admins edit every incident; managers the incidents of their own teams; viewers none."""
    if user.role == "admin":
        return True
    return user.role == "manager" and incident.team_id in team_ids(user)


def can_own(user: User, team: Team) -> bool:
    """Whether the user may give an incident to `team` (record it for, or move it to)."""
    return can_create_in(user, team)
