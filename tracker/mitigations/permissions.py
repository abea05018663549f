"""Who may change mitigations: admins all; managers those of their own teams, on any risk."""

from __future__ import annotations

from tracker.models import Mitigation, Risk, Team, User
from tracker.risks import permissions as risk_permissions


def can_edit(user: User, mitigation: Mitigation) -> bool:
    if user.role == "admin":
        return True
    return user.role == "manager" and mitigation.team_id in risk_permissions.team_ids(user)


def can_assign_to(user: User, team: Team) -> bool:
    """Whether the user may give a mitigation to `team` (create it for, or move it to)."""
    return risk_permissions.can_create_in(user, team)


def can_add_to(user: User, risk: Risk) -> bool:
    """Admins, and managers (for their own teams' work), may add mitigations to any risk."""
    return user.role == "admin" or (user.role == "manager" and bool(user.teams))


def can_reorder(user: User, risk: Risk) -> bool:
    """The risk's owners arrange its mitigations."""
    return risk_permissions.can_edit(user, risk)
