"""The tracker's models; import them from here."""

from tracker.models.accounts import ROLE_LABELS, ROLES, Team, User, team_members
from tracker.models.login_failure import LoginFailure
from tracker.models.mitigations import MITIGATION_STATUSES, OPEN_MITIGATION_STATUSES, Mitigation
from tracker.models.risks import Category, Risk, RiskEvent, Tag, risk_tags

__all__ = [
    "MITIGATION_STATUSES",
    "OPEN_MITIGATION_STATUSES",
    "ROLES",
    "ROLE_LABELS",
    "Category",
    "LoginFailure",
    "Mitigation",
    "Risk",
    "RiskEvent",
    "Tag",
    "Team",
    "User",
    "risk_tags",
    "team_members",
]
