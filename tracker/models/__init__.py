"""The tracker's models; import them from here."""

from tracker.models.accounts import ROLE_LABELS, ROLES, Team, User, team_members
from tracker.models.login_failure import LoginFailure

__all__ = ["ROLES", "ROLE_LABELS", "LoginFailure", "Team", "User", "team_members"]
