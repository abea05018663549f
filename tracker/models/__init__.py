"""The tracker's models; import them from here."""

from tracker.models.accounts import ROLE_LABELS, ROLES, Team, User, team_members
from tracker.models.login_failure import LoginFailure
from tracker.models.risks import Category, Risk, RiskEvent, Tag, risk_tags

__all__ = [
    "ROLES",
    "ROLE_LABELS",
    "Category",
    "LoginFailure",
    "Risk",
    "RiskEvent",
    "Tag",
    "Team",
    "User",
    "risk_tags",
    "team_members",
]
