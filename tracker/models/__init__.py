"""The tracker's models; import them from here."""

from tracker.models.accounts import ROLE_LABELS, ROLES, Team, User, UserEvent, team_members
from tracker.models.api_token import ApiToken
from tracker.models.incidents import (
    INCIDENT_STATUSES,
    Incident,
    IncidentEvent,
    IncidentService,
    incident_risks,
)
from tracker.models.jira import DriftFlag, JiraLink, JiraTicket, SyncLock, SyncRun
from tracker.models.key_counter import KeyCounter
from tracker.models.login_failure import LoginFailure
from tracker.models.login_session import LoginSession
from tracker.models.mitigations import (
    MITIGATION_HORIZONS,
    MITIGATION_STATUSES,
    OPEN_MITIGATION_STATUSES,
    Mitigation,
)
from tracker.models.register_version import RegisterVersion
from tracker.models.review import (
    DECISION_KINDS,
    Review,
    ReviewDecision,
    ReviewEntry,
    ReviewMitigation,
)
from tracker.models.risks import Category, Risk, RiskEvent, Tag, risk_tags
from tracker.models.snapshot import WeeklySnapshot

__all__ = [
    "DECISION_KINDS",
    "INCIDENT_STATUSES",
    "MITIGATION_HORIZONS",
    "MITIGATION_STATUSES",
    "OPEN_MITIGATION_STATUSES",
    "ROLES",
    "ROLE_LABELS",
    "ApiToken",
    "Category",
    "DriftFlag",
    "Incident",
    "IncidentEvent",
    "IncidentService",
    "JiraLink",
    "JiraTicket",
    "KeyCounter",
    "LoginFailure",
    "LoginSession",
    "Mitigation",
    "RegisterVersion",
    "Review",
    "ReviewDecision",
    "ReviewEntry",
    "ReviewMitigation",
    "Risk",
    "RiskEvent",
    "SyncLock",
    "SyncRun",
    "Tag",
    "Team",
    "User",
    "UserEvent",
    "WeeklySnapshot",
    "incident_risks",
    "risk_tags",
    "team_members",
]
