"""The API's JSON shapes as pydantic models: responses, queries and headers (request bodies
are in tracker.api.bodies).

Response models are filled by tracker.api.presenters, so every answer fits the document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker.domain import incidents as incident_rules
from tracker.domain import lifecycle, scoring
from tracker.domain import mitigations as mitigation_rules
from tracker.risks.queries import MAX_QUERY_LENGTH

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000
# API sort names → the register's (tracker.risks.queries.SORTS).
RISK_SORTS = {
    "key": "key",
    "title": "title",
    "team": "team",
    "score": "score",
    "residual_score": "residual",
    "bad_minutes_per_year": "bad_minutes",
    "status": "status",
    "mitigations": "mitigations",
    "next_review": "next_review",
    "updated_at": "updated",
    "priority": "priority",
}
# The ranking has one direction: "priority" only.
SORT_CHOICES = tuple(
    f"{sign}{name}"
    for name in RISK_SORTS
    for sign in ("", "-")
    if not (sign and name == "priority")
)

Band = Literal[scoring.BANDS]
RiskStatus = Literal[lifecycle.STATUSES]
Treatment = Literal[lifecycle.TREATMENTS]
MitigationStatus = Literal[mitigation_rules.STATUSES]
Horizon = Literal[mitigation_rules.HORIZONS]
IncidentStatus = Literal[incident_rules.STATUSES]


# Errors ---------------------------------------------------------------------------------------


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description='"about:blank": the title is the HTTP status\'s.')
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do about it.")


class ValidationProblem(Problem):
    """422: `errors` maps each bad field to what to fix."""

    errors: dict[str, str]


# Responses ------------------------------------------------------------------------------------


class JiraLinkOut(BaseModel):
    """A linked Jira ticket with the state the last sync read (null until then)."""

    key: str
    summary: str
    status: str | None
    status_category: str | None = Field(description="new, indeterminate or done.")
    resolution: str | None
    assignee: str | None
    due_date: date | None
    updated: datetime | None
    synced_at: datetime | None
    broken: bool = Field(description="The ticket was deleted or cannot be read.")
    url: str | None = Field(description="The ticket in Jira; null when no Jira is configured.")


class MitigationOut(BaseModel):
    id: int
    risk: str = Field(description="The key of the risk it lowers.")
    title: str
    description: str
    owner: str | None = Field(description="The owner's email.")
    team: str = Field(description="The team's slug.")
    due_date: date
    original_due_date: date
    status: MitigationStatus
    completed_on: date | None
    slip_count: int = Field(description="How many times the due date moved later.")
    follow_jira: bool
    notes: str
    source_incident: str | None = Field(
        description="The key of the incident whose follow-up this is, if it is one."
    )
    horizon: Horizon | None = Field(
        description="A follow-up's horizon: short (action item) or long (strategic change)."
    )
    version: int
    jira_links: list[JiraLinkOut]


class RiskOut(BaseModel):
    key: str = Field(examples=["RISK-12"])
    title: str
    description: str
    category: str = Field(description="The category's slug.")
    service: str
    team: str = Field(description="The owning team's slug.")
    owner: str | None = Field(description="The owner's email.")
    likelihood: int
    impact: int
    score: int
    band: Band
    residual_likelihood: int | None = Field(description="Null while not assessed.")
    residual_impact: int | None = Field(description="Null while not assessed.")
    residual_score: int | None = Field(description="Null while not assessed.")
    treatment: Treatment
    status: RiskStatus
    next_review: date
    tags: list[str]
    ettd_minutes: float | None
    ettr_minutes: float | None
    users_impacted: float | None = Field(description="Share of users, 0 to 1.")
    ettf_days: float | None
    bad_minutes_per_year: float | None
    residual_bad_minutes_per_year: float | None = Field(
        description="Estimated bad minutes a year once mitigated (null: not estimated)."
    )
    budget_share: float | None = Field(description="Share of the yearly error budget burnt.")
    incidents_365d: int = Field(
        description="Linked incidents that started in the last 365 days: how often it happened."
    )
    actual_bad_minutes_365d: float = Field(
        description="Their customer-impact minutes: what it cost, beside the estimate."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class DriftOut(BaseModel):
    """A standing disagreement between the tracker and Jira, as the last sync saw it."""

    kind: str = Field(description="jira_done_mitigation_open, mitigation_done_ticket_open, …")
    label: str = Field(description="The kind in words.")
    mitigation: int | None = Field(description="The mitigation's id; null for the risk's link.")
    ticket: str | None = Field(description="The ticket's key; null when about all of them.")
    detail: str = Field(
        description='The two values that disagree, e.g. "ticket due 2027-01-15, mitigation due '
        '2026-11-20" (empty until the next sync for flags older than this field).'
    )
    first_seen: datetime


class RiskDetail(RiskOut):
    mitigations: list[MitigationOut]
    jira_links: list[JiraLinkOut]
    drift: list[DriftOut] = Field(description="Jira drift on the risk and its mitigations.")


class IncidentOut(BaseModel):
    key: str = Field(examples=["INC-7"])
    title: str
    summary: str
    severity: str = Field(description="One of the configured levels (default sev1 to sev4).")
    services: list[str]
    team: str = Field(description="The owning team's slug.")
    commander: str | None = Field(description="The incident commander's email.")
    started_at: datetime
    detected_at: datetime | None
    resolved_at: datetime | None = Field(description="Null while the incident is ongoing.")
    duration_minutes: float = Field(description="Start to resolution (or to now while open).")
    impact_minutes: float = Field(description="Customer-impact minutes.")
    users_impacted: float | None = Field(
        description="The share of users (0 to 1) the impact was given as, if it was."
    )
    review_url: str
    review_date: date | None
    status: IncidentStatus
    risks: list[str] = Field(description="Keys of the risks it materialised.")
    follow_ups: list[int] = Field(description="Ids of the mitigations that follow it up.")
    jira_key: str | None = Field(
        description="The Jira issue the sync reads it from (JIRA_INCIDENT_JQL), or null."
    )
    jira_drift: list[str] = Field(
        description="Fields Jira owns that were corrected here and that Jira, at the last sync, "
        "said otherwise."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class TeamOut(BaseModel):
    slug: str
    name: str


class SyncRunOut(BaseModel):
    id: int
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    status: str = Field(description="queued, running, succeeded, partial, failed or abandoned.")
    trigger: str
    full: bool
    dry_run: bool
    deployment: str | None
    tickets_total: int
    tickets_read: int
    tickets_changed: int
    mitigations_changed: int
    links_broken: int
    requests: int
    error: str | None
    problems: list[str]


class PageOut(BaseModel):
    page: int
    per_page: int
    total: int


class RiskPage(PageOut):
    items: list[RiskOut]


class IncidentPage(PageOut):
    items: list[IncidentOut]


class TeamPage(PageOut):
    items: list[TeamOut]


class SyncRunPage(PageOut):
    items: list[SyncRunOut]


# Queries and headers --------------------------------------------------------------------------


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class RiskListQuery(PageQuery):
    team: str | None = Field(None, description="A team's slug.")
    status: RiskStatus | None = None
    band: Band | None = None
    category: str | None = Field(None, description="A category's slug.")
    owner: str | None = Field(None, description="The owner's email.")
    tag: str | None = None
    q: str | None = Field(None, max_length=MAX_QUERY_LENGTH, description="Text or a key.")
    sort: Literal[SORT_CHOICES] = Field("-score", description="A leading - sorts descending.")


class IncidentListQuery(PageQuery):
    team: str | None = Field(None, description="A team's slug.")
    severity: str | None = Field(None, description="One of the configured severities.")
    status: IncidentStatus | None = None
    since: date | None = Field(None, description="Started on this day or later.")
    until: date | None = Field(None, description="Started on this day or earlier.")
    service: str | None = Field(None, max_length=MAX_QUERY_LENGTH)
    q: str | None = Field(None, max_length=MAX_QUERY_LENGTH, description="Text or a key.")


class IfMatch(BaseModel):
    if_match: str = Field(
        alias="If-Match",
        description='The ETag from the last GET, e.g. W/"3" (or "3"); * overwrites any version.',
    )
