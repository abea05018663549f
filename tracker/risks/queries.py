"""The register: filtering, sorting and paging risks in the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.dashboard.ranking import at_or_above, in_priority_order
from tracker.domain import lifecycle, scoring
from tracker.domain import mitigations as mitigation_rules
from tracker.extensions import db
from tracker.filter_options import menu_options
from tracker.incidents.materialised import estimate_too_low_ids
from tracker.mitigations import queries as mitigation_queries
from tracker.models import Category, Mitigation, Risk, Tag, Team, User, risk_tags
from tracker.paging import Page
from tracker.risks.keys import parse_key
from tracker.risks.settings import ScoringSettings
from tracker.team_filter import requested_slug


def risk_by_key(key: str) -> Risk | None:
    """The risk with this RISK-n key (archived ones included), or None for a key that is
    malformed or names no risk."""
    number = parse_key(key)
    if number is None:
        return None
    return db.session.scalar(sa.select(Risk).where(Risk.number == number))


def risk_or_404(key: str) -> Risk:
    """The risk with this RISK-n key, archived ones included, for a page or action on it.

    :raise 404: when the key is malformed or names no risk.
    """
    risk = risk_by_key(key)
    if risk is None:
        abort(404, f"No risk has the key {key}.")
    return risk


# Every sort of the register, each a column of its table (and "priority", the dashboard's
# ranking, whose order is fixed: see tracker.domain.ranking). sort_columns() says what each
# sorts by.
SORTS = (
    "key",
    "title",
    "team",
    "score",
    "residual",
    "bad_minutes",
    "status",
    "mitigations",
    "next_review",
    "updated",
    "priority",
)
# The natural direction of each sort: biggest threats, most late work and latest changes
# first; titles and teams A to Z, statuses in lifecycle order, soonest review first.
DEFAULT_DESCENDING = {"score", "residual", "bad_minutes", "mitigations", "updated"}
MAX_QUERY_LENGTH = 200
MITIGATION_FILTERS = ("overdue", "due_soon", "rescore")
CELL_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
LEVELS = ("1", "2", "3", "4", "5")
FILTER_FIELDS = (
    "team",
    "status",
    "band",
    "category",
    "owner",
    "tag",
    "q",
    "mitigations",
    "estimate",
    *CELL_FIELDS,
)
# "too_low": the estimate looks too low given the incidents (tracker.incidents.materialised).
ESTIMATE_FILTERS = ("too_low",)


@dataclass(frozen=True)
class RegisterFilter:
    """What the register shows; lives in the URL so a view can be bookmarked and shared."""

    team: str = ""
    status: str = ""
    band: str = ""
    category: str = ""
    owner: str = ""
    tag: str = ""
    q: str = ""
    # Mitigation state: "overdue", "due_soon", or "rescore" (all done, not re-scored).
    mitigations: str = ""
    estimate: str = ""
    # A heat-map cell: "3" each, or "" for any.
    likelihood: str = ""
    impact: str = ""
    residual_likelihood: str = ""
    residual_impact: str = ""
    sort: str = "score"
    descending: bool = True
    page: int = 1
    archived: bool = False
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegisterFilter:
        """Read the filter from query parameters; unusable values are dropped and explained."""
        problems = []

        def choice(name: str, allowed) -> str:
            value = (args.get(name) or "").strip().lower()
            if value and value not in allowed:
                problems.append(f"Ignored {name} {value!r}: use one of {', '.join(allowed)}.")
                return ""
            return value

        # As in the API: "score" ascending, "-score" descending.
        sort_arg = (args.get("sort") or "-score").strip()
        descending = sort_arg.startswith("-")
        sort = sort_arg.lstrip("-")
        if sort not in SORTS:
            problems.append(f"Ignored sort {sort!r}: use one of {', '.join(SORTS)}.")
            sort, descending = "score", True
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            problems.append("Ignored page: give a number.")
            page = 1
        return cls(
            team=requested_slug(args),
            status=choice("status", lifecycle.STATUSES),
            band=choice("band", scoring.BANDS),
            category=(args.get("category") or "").strip().lower(),
            owner=(args.get("owner") or "").strip().lower(),
            tag=(args.get("tag") or "").strip().lower(),
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            mitigations=choice("mitigations", MITIGATION_FILTERS),
            estimate=choice("estimate", ESTIMATE_FILTERS),
            **{name: choice(name, LEVELS) for name in CELL_FIELDS},
            sort=sort,
            descending=descending,
            page=page,
            archived=(args.get("archived") or "") == "1",
            problems=tuple(problems),
        )

    def to_args(self, **changes) -> dict[str, str]:
        """The query parameters of this filter (with `changes`), leaving out the defaults."""
        view = replace(self, **changes)
        args = {name: getattr(view, name) for name in FILTER_FIELDS if getattr(view, name)}
        if (view.sort, view.descending) != ("score", True):
            args["sort"] = ("-" if view.descending else "") + view.sort
        if view.page > 1:
            args["page"] = str(view.page)
        if view.archived:
            args["archived"] = "1"
        return args

    def query_string(self, **changes) -> str:
        return urlencode(self.to_args(**changes))

    def sorted_by(self, sort: str) -> str:
        """Query string of this view sorted by `sort`: flips the direction if already sorted by
        it, else takes the column's natural direction; back to page 1."""
        descending = not self.descending if sort == self.sort else sort in DEFAULT_DESCENDING
        return self.query_string(sort=sort, descending=descending, page=1)

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) for name in FILTER_FIELDS)


def sort_columns(sort: str, today: date) -> tuple:
    """What the register's `sort` orders by, most significant first (ties then go to the
    newest key)."""
    if sort == "team":
        return (sa.select(Team.name).where(Team.id == Risk.team_id).scalar_subquery(),)
    if sort == "status":
        lifecycle_order = {status: n for n, status in enumerate(lifecycle.STATUSES)}
        return (sa.case(lifecycle_order, value=Risk.status),)
    if sort == "mitigations":
        # Late work first, then the most work still open.
        return (
            mitigation_queries.count_per_risk(
                mitigation_rules.is_overdue_sql(Mitigation.status, Mitigation.due_date, today)
            ),
            mitigation_queries.count_per_risk(mitigation_rules.is_open_sql(Mitigation.status)),
        )
    columns = {
        "key": (Risk.number,),
        "title": (sa.func.lower(Risk.title),),
        "score": (Risk.score, Risk.residual_score),
        "residual": (Risk.residual_score, Risk.score),
        "bad_minutes": (Risk.bad_minutes_per_year,),
        "next_review": (Risk.next_review,),
        "updated": (Risk.updated_at,),
    }
    return columns[sort]


def _search(q: str):
    pattern = f"%{q.lower()}%"
    from tracker.risks.keys import parse_key

    conditions = [
        sa.func.lower(Risk.title).like(pattern),
        sa.func.lower(Risk.description).like(pattern),
    ]
    number = parse_key(q)
    if number is not None:
        conditions.append(Risk.number == number)
    return sa.or_(*conditions)


def matching(
    view: RegisterFilter, settings: ScoringSettings, today: date, due_soon_days: int
) -> sa.Select:
    """SELECT of the risks this filter shows, unsorted: what a count needs (the priority
    order's join to every risk's overdue work changes no count, but the database would still
    build it)."""
    query = sa.select(Risk)
    query = query.where(
        Risk.archived_at.isnot(None) if view.archived else Risk.archived_at.is_(None)
    )
    if view.team:
        query = query.join(Team, Risk.team_id == Team.id).where(Team.slug == view.team)
    if view.category:
        query = query.join(Category, Risk.category_id == Category.id).where(
            Category.slug == view.category
        )
    if view.owner:
        query = query.join(User, Risk.owner_id == User.id).where(User.email == view.owner)
    if view.status:
        query = query.where(Risk.status == view.status)
    if view.band:
        query = query.where(scoring.in_band_sql(Risk.score, view.band, settings.band_floors))
    if view.tag:
        query = query.where(
            Risk.id.in_(
                sa.select(risk_tags.c.risk_id)
                .join(Tag, Tag.id == risk_tags.c.tag_id)
                .where(Tag.name == view.tag)
            )
        )
    if view.q:
        query = query.where(_search(view.q))
    for name in CELL_FIELDS:
        if getattr(view, name):
            query = query.where(getattr(Risk, name) == int(getattr(view, name)))
    if view.mitigations == "rescore":
        query = query.where(mitigation_queries.needs_rescore_condition())
    elif view.mitigations:
        query = query.where(
            mitigation_queries.has_due_state(view.mitigations, today, due_soon_days)
        )
    if view.estimate == "too_low":
        query = query.where(Risk.id.in_(estimate_too_low_ids(clock.now())))
    return query


def in_view_order(
    query: sa.Select, view: RegisterFilter, today: date, first: int | None = None
) -> sa.Select:
    """`query` (matching()'s) sorted as the view says. With `first`, in priority order, only
    the risks its first `first` rows can be drawn from (tracker.dashboard.ranking.at_or_above):
    ranking those few instead of the whole register keeps a page's cost from growing with it."""
    if view.sort == "priority":
        if first is not None:
            query = query.where(at_or_above(query, first))
        return in_priority_order(query, today)[0]
    order = []
    for column in sort_columns(view.sort, today):
        order.append(column.desc().nulls_last() if view.descending else column.asc().nulls_last())
    return query.order_by(*order, Risk.number.desc())


def filtered(
    view: RegisterFilter, settings: ScoringSettings, today: date, due_soon_days: int
) -> sa.Select:
    """SELECT of the risks this filter shows, sorted, not yet paged or loaded."""
    return in_view_order(matching(view, settings, today, due_soon_days), view, today)


def count(query: sa.Select) -> int:
    """How many rows `query` selects."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )


def with_display_relations(query: sa.Select) -> sa.Select:
    """Load what a register row shows in bulk: team, owner, category, tags."""
    return query.options(
        joinedload(Risk.team),
        joinedload(Risk.owner),
        joinedload(Risk.category),
        selectinload(Risk.tags),
    )


def register_page(
    view: RegisterFilter, settings: ScoringSettings, per_page: int, today: date, due_soon_days: int
) -> Page:
    """One page of the register in three queries: count, rows (with team, owner, category), tags."""
    risks = matching(view, settings, today, due_soon_days)
    total = count(risks)
    page = min(view.page, max(1, -(-total // per_page)))
    query = in_view_order(risks, view, today, first=page * per_page)
    items = (
        db.session.scalars(
            with_display_relations(query).limit(per_page).offset((page - 1) * per_page)
        )
        .unique()
        .all()
    )
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def filter_choices() -> dict[str, list]:
    """Teams, categories, owners and tags to offer in the filter bar (four queries); owners or
    tags are None when there are too many to offer."""
    return {
        "teams": list(db.session.scalars(sa.select(Team).order_by(Team.name))),
        "categories": list(
            db.session.scalars(sa.select(Category).order_by(Category.position, Category.name))
        ),
        # None when too many to offer (tracker.filter_options): the filter is a text box.
        "owners": menu_options(
            sa.select(User).where(User.id.in_(sa.select(Risk.owner_id))).order_by(User.display_name)
        ),
        "tags": menu_options(sa.select(Tag.name).order_by(Tag.name)),
    }
