"""Risks, their categories and tags, and the audit trail of every change to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models.accounts import Team, User
from tracker.models.events import FieldChange
from tracker.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.mitigations import Mitigation

KEY_PREFIX = "RISK-"

risk_tags = sa.Table(
    "risk_tags",
    db.metadata,
    sa.Column("risk_id", sa.ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_risk_tags_tag_id", "tag_id"),
)


class Category(db.Model):
    """A kind of risk (infrastructure, deploy, …); admins keep the list."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)


MITIGATION_WORK_COLUMNS = (
    "mitigation_work",
    "status",
    "treatment",
    "archived_at",
    "team_id",
    "score",
    "number",
)
DASHBOARD_COLUMNS = (
    "status",
    "archived_at",
    "team_id",
    "score",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "bad_minutes_per_year",
    "owner_id",
    "next_review",
)


def _scale_check(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_on_scale")


class Risk(db.Model):
    """A threat to availability, scored, owned and tracked through its lifecycle."""

    __tablename__ = "risks"
    __table_args__ = (
        _scale_check("likelihood"),
        _scale_check("impact"),
        _scale_check("residual_likelihood"),
        _scale_check("residual_impact"),
        # A residual is assessed as a whole (likelihood, impact and their score) or not at all.
        sa.CheckConstraint(
            "(residual_likelihood IS NULL AND residual_impact IS NULL AND residual_score IS NULL)"
            " OR (residual_likelihood IS NOT NULL AND residual_impact IS NOT NULL"
            " AND residual_score IS NOT NULL)",
            name="residual_all_or_none",
        ),
        sa.CheckConstraint(
            "status IN ('open', 'mitigating', 'mitigated', 'accepted', 'closed')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "treatment IN ('mitigate', 'accept', 'avoid', 'transfer')", name="treatment_known"
        ),
        sa.CheckConstraint("users_impacted BETWEEN 0 AND 1", name="users_impacted_share"),
        sa.CheckConstraint("ettf_days > 0", name="ettf_positive"),
        # Every page load looks for accepted risks whose acceptance expired
        # (services.reopen_expired_acceptances); this makes that an empty index range instead
        # of a read of every accepted risk.
        sa.Index("ix_risks_status_acceptance_expires", "status", "acceptance_expires"),
        # The dashboard's counts and heat maps read the live risks by status (and team): this
        # index holds every column they read, so they never visit the table's rows.
        sa.Index("ix_risks_dashboard", *DASHBOARD_COLUMNS),
        sa.CheckConstraint(
            "mitigation_work IN ('none', 'open', 'done')", name="mitigation_work_known"
        ),
        # The risks with no live mitigation, or with all their work done, by status and team.
        sa.Index("ix_risks_mitigation_work", *MITIGATION_WORK_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The n of the human key RISK-n; numbers are never reused (risks are archived, not deleted).
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(120), default="")
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    likelihood: Mapped[int]
    impact: Mapped[int]
    # Stored so the register sorts and filters by it in the database.
    score: Mapped[int] = mapped_column(index=True)
    # None until someone assesses what the risk will be once its mitigations are done.
    residual_likelihood: Mapped[int | None]
    residual_impact: Mapped[int | None]
    residual_score: Mapped[int | None] = mapped_column(index=True)
    treatment: Mapped[str] = mapped_column(sa.String(16), default="mitigate")
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    next_review: Mapped[date] = mapped_column(index=True)
    # What its mitigations amount to (tracker.domain.mitigations.work_state), kept current by
    # tracker.mitigations.work_state: the dashboard's "no mitigation" and "complete, not
    # re-scored" become index ranges instead of a look at every risk's mitigations.
    mitigation_work: Mapped[str] = mapped_column(
        sa.String(8), default="none", server_default="none"
    )

    ettd_minutes: Mapped[float | None]
    ettr_minutes: Mapped[float | None]
    users_impacted: Mapped[float | None]
    ettf_days: Mapped[float | None]
    # Derived from the four above; stored for sorting and for totals computed in the database.
    bad_minutes_per_year: Mapped[float | None] = mapped_column(index=True)
    # The owner's estimate of the bad minutes a year once the planned mitigations are done; with
    # bad_minutes_per_year it says how many minutes the work would save (roadmap planning).
    residual_bad_minutes_per_year: Mapped[float | None]

    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acceptance_expires: Mapped[date | None]
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    category: Mapped[Category] = relationship()
    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    tags: Mapped[list[Tag]] = relationship(secondary=risk_tags, order_by=Tag.name)
    mitigations: Mapped[list[Mitigation]] = relationship(
        back_populates="risk", order_by="Mitigation.position, Mitigation.id"
    )

    # Each UPDATE checks the version it read, so two processes cannot both save over one
    # version of a risk.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}{self.number}"

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def residual_assessed(self) -> bool:
        return self.residual_score is not None

    @property
    def is_quantified(self) -> bool:
        return self.bad_minutes_per_year is not None

    def review_overdue(self, today: date) -> bool:
        """tracker.domain.lifecycle.review_overdue for this risk."""
        return lifecycle.review_overdue(self.status, self.next_review, today)

    def __repr__(self) -> str:
        return f"<Risk {self.key}>"


def _register_sort_index(name: str, first, second) -> None:
    """An index that walks the register's `first` then `second` sort, descending with empty
    values last, newest key first (tracker.risks.queries), over the risks not archived.

    PostgreSQL puts NULLs first in a descending index unless told NULLS LAST. SQLite cannot
    say NULLS LAST in an index, but walks a plain ascending one backwards in exactly that order
    (and a plain index survives SQLite's table rebuilds in later migrations). So each database
    gets its own form, under one name.
    """
    for dialect, columns in (
        ("postgresql", (first.desc().nulls_last(), second.desc().nulls_last(), Risk.number.desc())),
        ("sqlite", (first, second, Risk.number)),
    ):
        sa.Index(
            name,
            *columns,
            postgresql_where=Risk.archived_at.is_(None),
            sqlite_where=Risk.archived_at.is_(None),
        ).ddl_if(dialect=dialect)


_register_sort_index("ix_risks_register_by_score", Risk.score, Risk.residual_score)
_register_sort_index("ix_risks_register_by_residual", Risk.residual_score, Risk.score)


def _priority_index() -> None:
    """An index over the risks not archived in the ranking's first two keys: score, then bad
    minutes, most first, unquantified last. A page in priority order reads its rows from it
    instead of sorting every risk tied at its scores, and finds its floor
    (tracker.dashboard.ranking.at_or_above) in a
    walk of the rows above the page.

    As for the register's sort indexes, PostgreSQL is told DESC NULLS
    LAST and SQLite, which cannot say NULLS LAST in an index, walks a plain one backwards in
    that order; one name, a form per database.
    """
    for dialect, columns in (
        ("postgresql", (Risk.score.desc(), Risk.bad_minutes_per_year.desc().nulls_last())),
        ("sqlite", (Risk.score, Risk.bad_minutes_per_year)),
    ):
        sa.Index(
            "ix_risks_priority",
            *columns,
            postgresql_where=Risk.archived_at.is_(None),
            sqlite_where=Risk.archived_at.is_(None),
        ).ddl_if(dialect=dialect)


_priority_index()


def _postgresql_sort_indexes() -> None:
    """On PostgreSQL, an index for every other column sort of the register in each direction
    (ascending or descending, empty values last either way, then the newest key first), so a
    page of the register reads its rows in order instead of sorting the table. A descending
    sort needs an index of its own: walking an ascending one backwards would put empty values
    first and the oldest key first. (The team, status and mitigation sorts order by computed
    values no index holds; the priority sort has ix_risks_priority.)"""
    sorts = {
        "score": (Risk.score, Risk.residual_score),
        "residual": (Risk.residual_score, Risk.score),
        "key": (Risk.number,),
        "title": (sa.func.lower(Risk.title),),
        "bad_minutes": (Risk.bad_minutes_per_year,),
        "next_review": (Risk.next_review,),
        "updated": (Risk.updated_at,),
    }
    for sort, columns in sorts.items():
        directions = ("asc",) if sort in ("score", "residual") else ("asc", "desc")
        for direction in directions:
            ordered = [
                column.desc().nulls_last() if direction == "desc" else column.asc().nulls_last()
                for column in columns
            ]
            # The key sort's tie-break is itself.
            tie_break = [] if sort == "key" else [Risk.number.desc()]
            sa.Index(
                f"ix_risks_register_by_{sort}_{direction}",
                *ordered,
                *tie_break,
                postgresql_where=Risk.archived_at.is_(None),
            ).ddl_if(dialect="postgresql")


_postgresql_sort_indexes()


class RiskEvent(FieldChange, db.Model):
    """One change to one field of a risk or of one of its mitigations."""

    __tablename__ = "risk_events"
    # The dashboard counts the recent due-date slips: one field's changes since a time.
    __table_args__ = (sa.Index("ix_risk_events_field_at", "field", "at"),)

    risk_id: Mapped[int] = mapped_column(sa.ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    # Set when the change was to one of the risk's mitigations rather than the risk itself.
    mitigation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mitigations.id", ondelete="CASCADE"), index=True
    )

    risk: Mapped[Risk] = relationship()
    mitigation: Mapped[Mitigation | None] = relationship()
