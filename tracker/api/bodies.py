"""The API's request bodies as pydantic models.

They check JSON types only (a string where a string belongs, an integer for a level); the value
rules (1 to 5, lengths, known teams and users, dates, what needs a reason) are the services',
whose limits are quoted here for the document but enforced there.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from tracker.domain import incidents as incident_rules
from tracker.domain import lifecycle, scoring
from tracker.domain import mitigations as mitigation_rules
from tracker.incidents import fields as incident_fields
from tracker.jira.jql import ISSUE_KEY as JIRA_KEY_PATTERN
from tracker.mitigations.fields import NOTE_MAX, NOTES_MAX
from tracker.risks import fields as risk_fields


def _document_body(schema: dict[str, Any], model: type[Body]) -> None:
    # Fields left out are not null: they are simply not changed (or take their default).
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)
    if model.REQUIRED:
        schema["required"] = list(model.REQUIRED)


class Body(BaseModel):
    """A JSON request body: JSON types are checked here, values by the services."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra=_document_body)
    REQUIRED: ClassVar[tuple[str, ...]] = ()


def _level(description: str) -> Any:
    scale = {"minimum": min(scoring.SCALE), "maximum": max(scoring.SCALE)}
    return Field(None, description=description, json_schema_extra=scale)


def _text(max_length: int, description: str | None = None) -> Any:
    return Field(None, description=description, json_schema_extra={"maxLength": max_length})


def _choice(choices: tuple[str, ...], nullable: bool = False) -> Any:
    return Field(None, json_schema_extra={"enum": [*choices, *([None] if nullable else [])]})


def _date(description: str) -> Any:
    return Field(None, description=description, json_schema_extra={"format": "date"})


def _minutes(description: str) -> Any:
    return Field(None, description=description, json_schema_extra={"minimum": 0})


class RiskCreate(Body):
    REQUIRED = ("title", "category", "team", "likelihood", "impact")

    title: str = _text(risk_fields.TITLE_MAX)
    description: str | None = _text(risk_fields.DESCRIPTION_MAX)
    category: str = Field(None, description="A category's slug.")
    service: str | None = _text(risk_fields.SERVICE_MAX)
    team: str = Field(None, description="A team's slug (one of yours, for managers).")
    owner: str | None = Field(None, description="A user's email.")
    likelihood: int = _level("1 to 5.")
    impact: int = _level("1 to 5.")
    residual_likelihood: int | None = _level(
        "1 to 5, or null for not assessed (the default); give both residual levels or neither."
    )
    residual_impact: int | None = _level(
        "1 to 5, or null for not assessed (the default); give both residual levels or neither."
    )
    treatment: str | None = _choice(lifecycle.TREATMENTS, nullable=True)
    next_review: str | None = _date("Defaults from the band's review cadence.")
    tags: list[str] | None = None
    ettd_minutes: float | None = _minutes("Give all four numbers or none.")
    ettr_minutes: float | None = _minutes("Give all four numbers or none.")
    users_impacted: float | None = Field(
        None, json_schema_extra={"minimum": 0, "maximum": 1}, description="Share, 0 to 1."
    )
    ettf_days: float | None = Field(
        None, json_schema_extra={"exclusiveMinimum": 0}, description="Days between failures."
    )
    residual_bad_minutes_per_year: float | None = Field(
        None,
        json_schema_extra={"minimum": 0, "maximum": 525_960},
        description="Estimated bad minutes a year once mitigated; null when not estimated.",
    )


class RiskUpdate(RiskCreate):
    """Changes the fields given. A status change goes alone (with its reason, and approver
    and expires_on when accepting)."""

    REQUIRED = ()

    reason: str | None = Field(None, description="Why; needed when a score changes.")
    status: str = _choice(lifecycle.STATUSES)
    approver: str | None = Field(None, description="Email of who approves accepting it.")
    expires_on: str | None = _date("When an acceptance expires.")


class MitigationCreate(Body):
    REQUIRED = ("title", "team", "due_date")

    title: str = _text(risk_fields.TITLE_MAX)
    description: str | None = _text(risk_fields.DESCRIPTION_MAX)
    owner: str | None = Field(None, description="A user's email.")
    team: str = Field(None, description="A team's slug (one of yours, for managers).")
    due_date: str = _date("When the work is due.")
    status: str = _choice(mitigation_rules.STATUSES)
    notes: str | None = _text(NOTES_MAX)
    follow_jira: bool = Field(None, description="Take the status from linked tickets.")
    source_incident: str | None = Field(
        None,
        description="Makes it a follow-up of this incident (INC-n), which is linked to "
        "the risk; null clears it.",
    )
    horizon: str | None = _choice(mitigation_rules.HORIZONS, nullable=True)


class MitigationUpdate(MitigationCreate):
    REQUIRED = ()

    reason: str | None = Field(None, description="Why; needed when the due date moves.")
    note: str | None = _text(NOTE_MAX, "A dated note appended to the notes.")


def _moment(description: str) -> Any:
    return Field(None, description=description, json_schema_extra={"format": "date-time"})


class IncidentCreate(Body):
    """Give the impact as `impact_minutes`, or as `users_impacted` (a share, 0 to 1, that
    multiplies the duration). Times without an offset are in the tracker's TIMEZONE."""

    REQUIRED = ("title", "severity", "team", "started_at")

    title: str = _text(risk_fields.TITLE_MAX)
    summary: str | None = _text(incident_fields.SUMMARY_MAX)
    severity: str = Field(None, description="One of the configured levels (default sev1–sev4).")
    services: list[str] | None = Field(None, description="Names of the services affected.")
    team: str = Field(None, description="A team's slug (one of yours, for managers).")
    commander: str | None = Field(None, description="The incident commander's email.")
    started_at: str = _moment("When it began; not in the future.")
    detected_at: str | None = _moment("When it was noticed; not before the start.")
    resolved_at: str | None = _moment("When it ended; null while ongoing.")
    impact_minutes: float | None = _minutes("Customer-impact minutes, at most the duration.")
    users_impacted: float | None = Field(
        None,
        json_schema_extra={"minimum": 0, "maximum": 1},
        description="Instead of impact_minutes: the share of users affected.",
    )
    review_url: str | None = _text(incident_fields.REVIEW_URL_MAX, "The review document.")
    review_date: str | None = _date("When the review was held; not before the start.")


class IncidentUpdate(IncidentCreate):
    """Changes the fields given; `status` moves it open → reviewing → closed (going back
    needs a `reason`)."""

    REQUIRED = ()

    status: str = _choice(incident_rules.STATUSES)
    reason: str | None = Field(None, description="Why; kept in the history.")


class RiskLinkCreate(Body):
    REQUIRED = ("key",)

    key: str = Field(None, description="The key of a risk the incident materialised, RISK-n.")


class JiraLinkCreate(Body):
    REQUIRED = ("key",)

    key: str = Field(None, json_schema_extra={"pattern": JIRA_KEY_PATTERN.pattern})
