"""The incident list: filtering and paging incidents in the database, and the loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain.incidents import STATUSES
from tracker.domain.mitigations import is_open_sql
from tracker.extensions import db
from tracker.filter_options import menu_options
from tracker.incidents.attention import INCIDENT_LISTS, incident_condition_now
from tracker.incidents.keys import parse_incident_key
from tracker.models import Incident, IncidentService, Mitigation, Risk, Team, User
from tracker.risks.queries import Page
from tracker.team_filter import requested_slug

MAX_QUERY_LENGTH = 200
FILTER_FIELDS = ("team", "severity", "status", "since", "until", "service", "q", "attention")


@dataclass(frozen=True)
class IncidentFilter:
    """What the incident list shows; lives in the URL so a view can be bookmarked and shared.

    `since` and `until` are calendar days (inclusive) of the incident's start.
    """

    team: str = ""
    severity: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None
    service: str = ""
    q: str = ""
    # A dashboard attention list (tracker.incidents.attention.INCIDENT_LISTS).
    attention: str = ""
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str], severities: tuple[str, ...]) -> IncidentFilter:
        """Read the filter from query parameters; unusable values are dropped and explained."""
        problems: list[str] = []

        def choice(name: str, allowed) -> str:
            value = (args.get(name) or "").strip().lower()
            if value and value not in allowed:
                problems.append(f"Ignored {name} {value!r}: use one of {', '.join(allowed)}.")
                return ""
            return value

        def day(name: str) -> date | None:
            text = (args.get(name) or "").strip()
            try:
                return date.fromisoformat(text) if text else None
            except ValueError:
                problems.append(f"Ignored {name} {text[:20]!r}: give a date YYYY-MM-DD.")
                return None

        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            problems.append("Ignored page: give a number.")
            page = 1
        return cls(
            team=requested_slug(args),
            severity=choice("severity", severities),
            status=choice("status", STATUSES),
            since=day("since"),
            until=day("until"),
            service=" ".join((args.get("service") or "").split()).lower()[:MAX_QUERY_LENGTH],
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            attention=choice("attention", tuple(INCIDENT_LISTS)),
            page=page,
            problems=tuple(problems),
        )

    def to_args(self, **changes) -> dict[str, str]:
        """The query parameters of this filter (with `changes`), leaving out the defaults."""
        view = replace(self, **changes)
        args = {name: str(getattr(view, name)) for name in FILTER_FIELDS if getattr(view, name)}
        if view.page > 1:
            args["page"] = str(view.page)
        return args

    def query_string(self, **changes) -> str:
        return urlencode(self.to_args(**changes))

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) for name in FILTER_FIELDS)


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _search(q: str):
    pattern = f"%{q.lower()}%"
    conditions = [
        sa.func.lower(Incident.title).like(pattern),
        sa.func.lower(Incident.summary).like(pattern),
    ]
    number = parse_incident_key(q)
    if number is not None:
        conditions.append(Incident.number == number)
    return sa.or_(*conditions)


def filtered(view: IncidentFilter, zone: tzinfo) -> sa.Select:
    """SELECT of the incidents this filter shows, latest start first, not yet paged or loaded.

    Days are the calendar days of `zone` (the app's TIMEZONE).
    """
    query = sa.select(Incident)
    if view.team:
        query = query.join(Team, Incident.team_id == Team.id).where(Team.slug == view.team)
    if view.severity:
        query = query.where(Incident.severity == view.severity)
    if view.status:
        query = query.where(Incident.status == view.status)
    if view.since:
        query = query.where(Incident.started_at >= _start_of(view.since, zone))
    if view.until:
        query = query.where(Incident.started_at < _start_of(view.until + timedelta(days=1), zone))
    if view.service:
        query = query.where(
            Incident.id.in_(
                sa.select(IncidentService.incident_id).where(IncidentService.name == view.service)
            )
        )
    if view.q:
        query = query.where(_search(view.q))
    if view.attention:
        query = query.where(incident_condition_now(view.attention))
    return query.order_by(Incident.started_at.desc(), Incident.number.desc())


def with_list_relations(query: sa.Select) -> sa.Select:
    """Load what a list row shows in bulk: team, commander, services, linked risks."""
    return query.options(
        joinedload(Incident.team),
        joinedload(Incident.commander),
        selectinload(Incident.service_rows),
        selectinload(Incident.risks),
    )


def incident_page(view: IncidentFilter, zone: tzinfo, per_page: int) -> Page:
    """One page of the list in four queries: count, rows (with team and commander), services,
    risks."""
    query = filtered(view, zone)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    page = min(view.page, max(1, -(-total // per_page)))
    items = (
        db.session.scalars(with_list_relations(query).limit(per_page).offset((page - 1) * per_page))
        .unique()
        .all()
    )
    return Page(items=items, total=total, page=page, per_page=per_page)


def filter_choices() -> dict[str, list]:
    """What the list's filter menus offer: teams and the services incidents name."""
    return {
        "teams": db.session.scalars(sa.select(Team).order_by(Team.name)).all(),
        # None when too many to offer (tracker.filter_options): the filter is a text box.
        "services": menu_options(
            sa.select(IncidentService.name).distinct().order_by(IncidentService.name)
        ),
    }


def incident_by_key(key: str) -> Incident | None:
    """The incident with this INC-n key, or None for a key that is malformed or names no
    incident."""
    number = parse_incident_key(key)
    if number is None:
        return None
    return db.session.scalar(sa.select(Incident).where(Incident.number == number))


def incident_or_404(key: str) -> Incident:
    """The incident with this INC-n key, with what its page shows loaded.

    :raise 404: when the key is malformed or names no incident.
    """
    number = parse_incident_key(key)
    incident = None
    if number is not None:
        incident = db.session.scalar(
            sa.select(Incident)
            .where(Incident.number == number)
            .options(
                joinedload(Incident.team),
                joinedload(Incident.commander),
                selectinload(Incident.service_rows),
                selectinload(Incident.risks),
                selectinload(Incident.follow_ups).options(
                    joinedload(Mitigation.team),
                    joinedload(Mitigation.owner),
                    joinedload(Mitigation.risk),
                ),
            )
        )
    if incident is None:
        abort(404, f"No incident has the key {key}.")
    return incident


def commanders() -> list[User]:
    """Who may be named incident commander: active users, by name."""
    return db.session.scalars(sa.select(User).where(User.active).order_by(User.display_name)).all()


def _first_and_count(query: sa.Select, limit: int) -> tuple[int, list]:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    return total, list(db.session.scalars(query.limit(limit)).unique())


def new_incidents(team_id: int, since: datetime, limit: int) -> tuple[int, list[Incident]]:
    """A team's incidents that started or were recorded after `since`, latest start first: how
    many, and the first `limit` (two queries)."""
    query = (
        sa.select(Incident)
        .where(
            Incident.team_id == team_id,
            sa.or_(Incident.started_at > since, Incident.created_at > since),
        )
        .order_by(Incident.started_at.desc(), Incident.number.desc())
    )
    return _first_and_count(query, limit)


def open_follow_ups(team_id: int, limit: int) -> tuple[int, list[Mitigation]]:
    """The open follow-ups a team works on (on live risks), soonest due first — overdue ones
    lead: how many, and the first `limit` with their incident and risk (two queries)."""
    query = (
        sa.select(Mitigation)
        .join(Risk, Mitigation.risk_id == Risk.id)
        .where(
            Mitigation.team_id == team_id,
            Mitigation.source_incident_id.isnot(None),
            is_open_sql(Mitigation.status),
            Risk.archived_at.is_(None),
        )
        .options(
            joinedload(Mitigation.source_incident),
            joinedload(Mitigation.risk),
            joinedload(Mitigation.owner),
        )
        .order_by(Mitigation.due_date, Mitigation.id)
    )
    return _first_and_count(query, limit)
