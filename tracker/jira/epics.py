"""Epic progress: how many of each linked ticket's child issues are done, of how many.

Roadmap tickets are often epics. One extra search per batch of linked tickets (JIRA_BATCH_SIZE,
100 by default) finds the children of all of them at once: on Cloud `parent in (…)` (epics and
sub-tasks alike); on Data Center the "Epic Link" field, found by name in the field list, plus
`parent in (…)` for sub-tasks. The search is paged like every other. A child counts as done when
its status category is done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jira import jql
from tracker.jira.client import BatchFailed, JiraConnection, key_batches
from tracker.models import JiraLink, JiraTicket

CHILD_FIELDS = ["parent", "status"]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


def children_jql(keys: list[str], epic_link_field: str | None) -> str:
    """The search for the children of `keys` (checked issue keys), through the parent field
    and, when it is a custom field, the Data Center epic link."""
    listed = jql.issue_keys(keys)
    clause = f"parent in {listed}"
    if epic_link_field and jql.CUSTOM_FIELD.match(epic_link_field):
        clause = f"{jql.custom_field(epic_link_field)} in {listed} OR {clause}"
    return clause + " ORDER BY key"


def _parent_of(issue: dict, epic_link_field: str | None) -> str | None:
    fields = issue.get("fields") or {}
    epic = fields.get(epic_link_field) if epic_link_field else None
    if isinstance(epic, str) and epic:
        return epic.upper()
    parent = fields.get("parent")
    if isinstance(parent, dict) and isinstance(parent.get("key"), str):
        return parent["key"].upper()
    return None


def _is_done(issue: dict) -> bool:
    status = (issue.get("fields") or {}).get("status") or {}
    category = status.get("statusCategory") if isinstance(status, dict) else None
    return isinstance(category, dict) and category.get("key") == "done"


def progress_of(
    connection: JiraConnection, keys: list[str], epic_link_field: str | None
) -> dict[str, Progress]:
    """Children done and in all, for each of `keys` that has children (one search, paged)."""
    fields = [*CHILD_FIELDS, epic_link_field] if epic_link_field else CHILD_FIELDS
    wanted = {key.upper() for key in keys}
    totals: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for issue in connection.search(children_jql(keys, epic_link_field), fields):
        parent = _parent_of(issue, epic_link_field)
        if parent in wanted:
            totals[parent] += 1
            done[parent] += _is_done(issue)
    return {key: Progress(done[key], total) for key, total in totals.items()}


def store(keys: list[str], progress: dict[str, Progress]) -> list[int]:
    """Record the progress of these tickets (None where they have no children); return the ids
    of the tickets whose progress changed. Only Jira's side is written, never a person's."""
    changed = []
    tickets = db.session.scalars(sa.select(JiraTicket).where(JiraTicket.key.in_(keys)))
    for ticket in tickets:
        found = progress.get(ticket.key.upper())
        values = (found.done, found.total) if found else (None, None)
        if (ticket.children_done, ticket.children_total) != values:
            ticket.children_done, ticket.children_total = values
            changed.append(ticket.id)
    return changed


def refresh(
    connection: JiraConnection, keys: list[str], batch_size: int, end_batch: Callable[[], None]
) -> tuple[list[int], list[str]]:
    """Read and store the progress of every ticket in `keys`, batch by batch, calling
    `end_batch` after each (it commits, or rolls back in a dry run). Returns the ids of tickets
    whose progress changed and a problem line for each batch that failed; the other batches
    are still stored."""
    changed: list[int] = []
    problems: list[str] = []
    try:
        epic_link_field = connection.epic_link_field()
    except BatchFailed as failure:
        return changed, [f"Epic progress: the field list could not be read: {failure}"]
    for batch in key_batches(keys, batch_size):
        try:
            progress = progress_of(connection, batch, epic_link_field)
        except BatchFailed as failure:
            problems.append(f"Epic progress of {batch[0]}…{batch[-1]}: {failure}")
            continue
        changed += store(batch, progress)
        end_batch()
    return changed, problems


def progress_by_mitigation(mitigation_ids: list[int]) -> dict[int, Progress]:
    """Children done of all, summed over each mitigation's linked tickets that have children;
    mitigations without such tickets are left out. One query."""
    if not mitigation_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            JiraLink.mitigation_id,
            sa.func.sum(JiraTicket.children_done),
            sa.func.sum(JiraTicket.children_total),
        )
        .join(JiraTicket, JiraTicket.id == JiraLink.ticket_id)
        .where(
            JiraLink.mitigation_id.in_(mitigation_ids),
            JiraTicket.children_total > 0,
            JiraTicket.broken.is_(False),
        )
        .group_by(JiraLink.mitigation_id)
    )
    return {mitigation_id: Progress(int(done), int(total)) for mitigation_id, done, total in rows}
