"""Rows as API resources: each function fills a response model of tracker.api.schemas.

They read only what is already loaded (see tracker.api.queries), so presenting a page of
risks runs no query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from flask import Response, current_app
from pydantic import BaseModel

from tracker.api import schemas
from tracker.domain.incidents import duration_minutes
from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.incidents.materialised import Materialised
from tracker.jira.settings import browse_url
from tracker.models import DriftFlag, Incident, JiraLink, Mitigation, Risk, SyncRun, Team
from tracker.risks.settings import ScoringSettings


def risk(item: Risk, settings: ScoringSettings, record: Materialised) -> schemas.RiskOut:
    """A risk with its computed fields (band and budget share under the current settings)
    and its `record` of incidents in the last 365 days."""
    return schemas.RiskOut(**_risk_fields(item, settings, record))


def _risk_fields(item: Risk, settings: ScoringSettings, record: Materialised) -> dict:
    return {
        "key": item.key,
        "title": item.title,
        "description": item.description,
        "category": item.category.slug,
        "service": item.service,
        "team": item.team.slug,
        "owner": item.owner.email if item.owner else None,
        "likelihood": item.likelihood,
        "impact": item.impact,
        "score": item.score,
        "band": settings.band(item.score),
        "residual_likelihood": item.residual_likelihood,
        "residual_impact": item.residual_impact,
        "residual_score": item.residual_score,
        "treatment": item.treatment,
        "status": item.status,
        "next_review": item.next_review,
        "tags": item.tag_names,
        "ettd_minutes": item.ettd_minutes,
        "ettr_minutes": item.ettr_minutes,
        "users_impacted": item.users_impacted,
        "ettf_days": item.ettf_days,
        "residual_bad_minutes_per_year": item.residual_bad_minutes_per_year,
        "bad_minutes_per_year": item.bad_minutes_per_year,
        "budget_share": settings.budget_share(item.bad_minutes_per_year),
        "incidents_365d": record.incidents,
        "actual_bad_minutes_365d": record.bad_minutes,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def risk_detail(
    item: Risk,
    settings: ScoringSettings,
    record: Materialised,
    links: Mapping[tuple[str, int], list[JiraLink]],
    drift: Iterable[DriftFlag] = (),
) -> schemas.RiskDetail:
    """A risk with its mitigations, the Jira links of both (`links` by item, see
    tracker.api.queries.links_by_item) and their drift flags."""
    return schemas.RiskDetail(
        **_risk_fields(item, settings, record),
        mitigations=[mitigation(m, links.get(("mitigation", m.id), [])) for m in item.mitigations],
        jira_links=[jira_link(link) for link in links.get(("risk", item.id), [])],
        drift=[drift_flag(flag) for flag in drift],
    )


def drift_flag(flag: DriftFlag) -> schemas.DriftOut:
    return schemas.DriftOut(
        kind=flag.kind,
        label=DRIFT_KINDS.get(flag.kind, flag.kind),
        mitigation=flag.mitigation_id,
        ticket=flag.ticket_key,
        detail=flag.detail,
        first_seen=flag.first_seen,
    )


def mitigation(item: Mitigation, links: Iterable[JiraLink]) -> schemas.MitigationOut:
    return schemas.MitigationOut(
        id=item.id,
        risk=item.risk.key,
        title=item.title,
        description=item.description,
        owner=item.owner.email if item.owner else None,
        team=item.team.slug,
        due_date=item.due_date,
        original_due_date=item.original_due_date,
        status=item.status,
        completed_on=item.completed_on,
        slip_count=item.slip_count,
        follow_jira=item.follow_jira,
        notes=item.notes,
        source_incident=item.source_incident.key if item.source_incident else None,
        horizon=item.horizon,
        version=item.version,
        jira_links=[jira_link(link) for link in links],
    )


def incident(item: Incident, now: datetime) -> schemas.IncidentOut:
    """An incident with its duration (to `now` while ongoing), risks and follow-ups."""
    return schemas.IncidentOut(
        key=item.key,
        title=item.title,
        summary=item.summary,
        severity=item.severity,
        services=item.services,
        team=item.team.slug,
        commander=item.commander.email if item.commander else None,
        started_at=item.started_at,
        detected_at=item.detected_at,
        resolved_at=item.resolved_at,
        duration_minutes=duration_minutes(item.started_at, item.resolved_at, now),
        impact_minutes=item.impact_minutes,
        users_impacted=item.impact_share,
        review_url=item.review_url,
        review_date=item.review_date,
        status=item.status,
        risks=[risk.key for risk in item.risks],
        follow_ups=[m.id for m in item.follow_ups],
        jira_key=item.jira_key,
        jira_drift=[name for name in item.jira_drift.split(",") if name],
        version=item.version,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def jira_link(link: JiraLink) -> schemas.JiraLinkOut:
    ticket = link.ticket
    return schemas.JiraLinkOut(
        key=ticket.key,
        summary=ticket.summary,
        status=ticket.status,
        status_category=ticket.status_category,
        resolution=ticket.resolution,
        assignee=ticket.assignee,
        due_date=ticket.due_date,
        updated=ticket.updated,
        synced_at=ticket.synced_at,
        broken=ticket.broken,
        url=browse_url(current_app.config, ticket.key),
    )


def team(item: Team) -> schemas.TeamOut:
    return schemas.TeamOut(slug=item.slug, name=item.name)


def sync_run(run: SyncRun) -> schemas.SyncRunOut:
    return schemas.SyncRunOut(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_seconds=run.duration_seconds,
        status=run.status,
        trigger=run.trigger,
        full=run.full,
        dry_run=run.dry_run,
        deployment=run.deployment,
        tickets_total=run.tickets_total,
        tickets_read=run.tickets_read,
        tickets_changed=run.tickets_changed,
        mitigations_changed=run.mitigations_changed,
        links_broken=run.links_broken,
        requests=run.requests,
        error=run.error,
        problems=_problems(run.problems),
    )


def _problems(text: str) -> list[str]:
    """The sync stores its problems as a JSON list of strings."""
    try:
        problems = json.loads(text or "[]")
    except ValueError:
        return [text]
    return [str(problem) for problem in problems] if isinstance(problems, list) else [text]


def json_response(
    resource: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The resource as JSON (dates YYYY-MM-DD, times ISO 8601 UTC)."""
    response = current_app.response_class(
        resource.model_dump_json(), status=status, mimetype="application/json"
    )
    response.headers.update(headers or {})
    return response


def page_of(model: type[BaseModel], page, present: Callable) -> BaseModel:
    """A page envelope (`items`, `page`, `per_page`, `total`) of `model`, each item presented."""
    return model(
        items=[present(item) for item in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )
