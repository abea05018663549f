"""What the API reads, each in a fixed number of queries whatever the page size.

Filtering and sorting risks is the register's (tracker.risks.queries); this module only pages
and loads what the resources show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.extensions import db
from tracker.jira import lock
from tracker.models import JiraLink, JiraTicket, Mitigation, Risk, SyncRun, Team
from tracker.risks import queries as register
from tracker.risks.keys import parse_key
from tracker.risks.settings import ScoringSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


def paged(query: sa.Select, page: int, per_page: int) -> Page:
    """One page of `query` and the total, in two queries. A page past the end is empty
    (unlike the register's page, which shows the last one): clients page until it is."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return Page(items=list(rows.unique()), page=page, per_page=per_page, total=total)


def risk_page(
    view: register.RegisterFilter,
    settings: ScoringSettings,
    today: date,
    due_soon_days: int,
    per_page: int,
) -> Page[Risk]:
    """A page of the register as filtered: count, rows with team, owner and category, tags."""
    risks = register.matching(view, settings, today, due_soon_days)
    total = register.count(risks)
    query = register.in_view_order(risks, view, today, first=view.page * per_page)
    rows = db.session.scalars(
        register.with_display_relations(query).limit(per_page).offset((view.page - 1) * per_page)
    )
    return Page(items=list(rows.unique()), page=view.page, per_page=per_page, total=total)


def risk_with_mitigations(key: str) -> Risk | None:
    """The risk with this key (archived ones too), with what its resource shows."""
    number = parse_key(key)
    if number is None:
        return None
    return db.session.scalar(
        register.with_display_relations(sa.select(Risk).where(Risk.number == number)).options(
            selectinload(Risk.mitigations).options(
                joinedload(Mitigation.owner),
                joinedload(Mitigation.team),
                joinedload(Mitigation.source_incident),
            )
        )
    )


def mitigation(mitigation_id: int) -> Mitigation | None:
    return db.session.scalar(
        sa.select(Mitigation)
        .where(Mitigation.id == mitigation_id)
        .options(
            joinedload(Mitigation.risk),
            joinedload(Mitigation.owner),
            joinedload(Mitigation.team),
            joinedload(Mitigation.source_incident),
        )
    )


def links_by_item(risk: Risk) -> dict[tuple[str, int], list[JiraLink]]:
    """The Jira links of a risk and of its mitigations, keyed ("risk", id) or
    ("mitigation", id), each list by ticket key. One query."""
    mitigation_ids = sa.select(Mitigation.id).where(Mitigation.risk_id == risk.id)
    links = db.session.scalars(
        sa.select(JiraLink)
        .join(JiraTicket)
        .where(sa.or_(JiraLink.risk_id == risk.id, JiraLink.mitigation_id.in_(mitigation_ids)))
        .options(contains_eager(JiraLink.ticket))
        .order_by(JiraTicket.key)
    )
    grouped: dict[tuple[str, int], list[JiraLink]] = defaultdict(list)
    for link in links:
        item = ("risk", link.risk_id) if link.risk_id else ("mitigation", link.mitigation_id)
        grouped[item].append(link)
    return grouped


def teams(page: int, per_page: int) -> Page[Team]:
    return paged(sa.select(Team).order_by(Team.name, Team.id), page, per_page)


def sync_runs(page: int, per_page: int) -> Page[SyncRun]:
    """Newest first (a run whose process died shows as abandoned)."""
    lock.abandon_dead_runs()
    return paged(sa.select(SyncRun).order_by(SyncRun.id.desc()), page, per_page)
