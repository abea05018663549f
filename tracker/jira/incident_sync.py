"""Incidents from Jira: with JIRA_INCIDENT_JQL set, the sync run also reads the matching
issues, a page at a time, as incidents keyed by the issue's key.

Jira owns the fields in incident_issues.OWNED; the rest (impact, links, follow-ups, team,
commander, services, review) are the tracker's. A person's correction of an owned field is
kept: a field whose value here differs from what Jira said last time was corrected here, so
the sync leaves it and, while Jira says otherwise, lists it as drift (`jira_drift`). Each
page is written in one transaction (batches.write_retrying); an issue whose values break the
incident rules is left as it was and makes the run partial, as does a page Jira cannot give.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial

import sqlalchemy as sa

from tracker import clock
from tracker.domain import incidents as rules
from tracker.extensions import db
from tracker.history import display_value
from tracker.incidents import history
from tracker.incidents.keys import INCIDENT_KEYS
from tracker.jira.batches import Outcome, span, write_retrying
from tracker.jira.client import BatchFailed, JiraConnection
from tracker.jira.incident_issues import OWNED, IncidentIssue, read_issue
from tracker.jira.incident_settings import IncidentPull
from tracker.models import Incident, Team


def incident_jql(configured: str, within_minutes: int | None) -> str:
    """The configured JQL in parentheses (so an OR inside it cannot swallow what follows),
    then the incremental window, ordered by key so pages do not shift."""
    query = f"({configured})"
    if within_minutes is not None:
        query += f" AND updated >= -{int(within_minutes)}m"
    return query + " ORDER BY key"


def pull_incidents(
    connection: JiraConnection,
    pull: IncidentPull,
    outcome: Outcome,
    within: int | None,
    dry_run: bool,
    renew: Callable[[], None],
) -> None:
    """Read the issues JIRA_INCIDENT_JQL finds (changed within `within` minutes, or all) and
    write them as incidents, page by page; `renew` keeps the run's lease before each page.
    A full read that saw every page marks incidents whose issue it no longer finds."""
    team_id = db.session.scalar(sa.select(Team.id).where(Team.slug == pull.team))
    if team_id is None:
        outcome.problems.append(
            f"Incidents from Jira: JIRA_INCIDENT_TEAM names no team ({pull.team!r}); create "
            "it under Teams. No incident was read."
        )
        return
    seen: set[str] = set()
    unmapped: dict[str, set[str]] = {}
    complete = True
    try:
        for issues in connection.search_pages(incident_jql(pull.jql, within), pull.fields):
            renew()
            keys = [str(issue.get("key") or "").upper() for issue in issues]
            seen.update(keys)
            write = partial(_apply_page, issues, pull, team_id, unmapped)
            if problem := write_retrying(write, outcome, dry_run):
                outcome.problems.append(f"Incidents {span(keys)}: {problem}")
    except BatchFailed as failure:
        db.session.rollback()
        complete = False
        outcome.problems.append(f"Incidents from Jira: {failure} The next run reads them again.")
    for priority, keys in sorted(unmapped.items()):
        outcome.problems.append(
            f"Incidents {', '.join(sorted(keys)[:5])}{' …' if len(keys) > 5 else ''}: the "
            f"priority {priority!r} is not in JIRA_INCIDENT_SEVERITY_MAP; recorded as "
            f"{pull.default_severity}."
        )
    if within is None and complete:
        _mark_all_gone(seen, outcome, dry_run)


def _apply_page(
    issues: list[dict],
    pull: IncidentPull,
    team_id: int,
    unmapped: dict[str, set[str]],
    done: Outcome,
) -> None:
    """Write one page's incidents (the caller commits or rolls back)."""
    now = clock.now()
    read: list[IncidentIssue] = []
    for issue in issues:
        data, notes = read_issue(issue, pull)
        done.problems += notes
        if data is not None:
            read.append(data)
            if data.unmapped_priority is not None:
                unmapped.setdefault(data.unmapped_priority, set()).add(data.key)
    existing = {
        incident.jira_key: incident
        for incident in db.session.scalars(
            sa.select(Incident).where(Incident.jira_key.in_([data.key for data in read]))
        )
    }
    staged: list[tuple[Incident, list]] = []
    new: list[Incident] = []
    for data in read:
        done.incidents_read += 1
        incident = existing.get(data.key)
        result = _refresh(incident, data, now) if incident else _new_incident(data, team_id, now)
        if isinstance(result, str):
            done.problems.append(result)
        elif incident is None:
            new.append(result)
        elif result:
            staged.append((incident, result))
    if new:
        first = INCIDENT_KEYS.allocate(len(new))
        for number, incident in enumerate(new, start=first):
            incident.number = number
            db.session.add(incident)
            staged.append((incident, [("created", None, incident.key)]))
    db.session.flush()
    for incident, changes in staged:
        reason = f"Jira sync: {incident.jira_key}."
        history.record(incident, None, changes, reason=reason, flush=False)
    done.incidents_changed += len(staged)


def _problems(values: dict, incident: Incident | None, now: datetime) -> list[str]:
    """What the incident rules say against these values (the form's checks)."""
    detected = incident.detected_at if incident else None
    found = list(
        rules.timing_problems(values["started_at"], detected, values["resolved_at"], now).values()
    )
    if values["status"] != "open" and values["resolved_at"] is None:
        found.append("Jira says done but gives no resolution time.")
    return found


def _new_incident(data: IncidentIssue, team_id: int, now: datetime) -> Incident | str:
    values = {name: getattr(data, name) for name in OWNED}
    if found := _problems(values, None, now):
        return f"{data.key}: not recorded: {' '.join(found)}"
    return Incident(
        **values,
        summary="",
        team_id=team_id,
        # The tracker's to give: Jira does not know how many users an incident hurt.
        impact_minutes=0.0,
        review_url="",
        jira_key=data.key,
        jira_values=json.dumps(data.shown(), sort_keys=True),
        jira_drift="",
        created_at=now,
        updated_at=now,
    )


def _refresh(incident: Incident, data: IncidentIssue, now: datetime) -> list | str:
    """Take Jira's values for the owned fields nobody corrected here; return the changes
    (for the history), or why nothing was taken."""
    said_before = json.loads(incident.jira_values or "{}")
    target = {name: getattr(incident, name) for name in OWNED}
    for name in OWNED:
        corrected = name in said_before and display_value(target[name]) != said_before[name]
        if not corrected:
            target[name] = getattr(data, name)
    found = _problems(target, incident, now)
    duration = rules.duration_minutes(target["started_at"], target["resolved_at"], now)
    minutes = incident.impact_minutes
    if incident.impact_share is not None:
        minutes = rules.impact_from_share(incident.impact_share, duration)
    elif problem := rules.impact_problem(minutes, duration):
        found.append(problem)
    if found:
        return f"{incident.key} ({data.key}): Jira's values left aside: {' '.join(found)}"
    changes = [
        (name, getattr(incident, name), target[name])
        for name in OWNED
        if display_value(getattr(incident, name)) != display_value(target[name])
    ]
    if display_value(minutes) != display_value(incident.impact_minutes):
        changes.append(("impact_minutes", incident.impact_minutes, minutes))
    for name, _, new in changes:
        setattr(incident, name, new)
    said = data.shown()
    drift = ",".join(n for n in OWNED if display_value(getattr(incident, n)) != said[n])
    remembered = json.dumps(said, sort_keys=True)
    if (incident.jira_values, incident.jira_drift) != (remembered, drift):
        incident.jira_values, incident.jira_drift = remembered, drift
    if incident.jira_gone_at is not None:
        incident.jira_gone_at = None
    if changes:
        incident.updated_by, incident.updated_at = None, now
    return changes


def _mark_all_gone(seen: set[str], outcome: Outcome, dry_run: bool) -> None:
    if problem := write_retrying(partial(_mark_gone, seen), outcome, dry_run):
        outcome.problems.append(f"Incidents no longer in Jira: {problem}")


def _mark_gone(seen: set[str], done: Outcome) -> None:
    """Note when the full read no longer finds an incident's issue (deleted, moved out of the
    JQL, or hidden from the sync's account); the incident itself stays."""
    rows = db.session.execute(
        sa.select(Incident.id, Incident.jira_key).where(
            Incident.jira_key.is_not(None), Incident.jira_gone_at.is_(None)
        )
    )
    gone = [incident_id for incident_id, key in rows if key not in seen]
    for start in range(0, len(gone), 500):
        db.session.execute(
            sa.update(Incident)
            .where(Incident.id.in_(gone[start : start + 500]))
            .values(jira_gone_at=clock.now())
            .execution_options(synchronize_session=False)
        )
