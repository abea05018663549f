"""Reading drift flags and sync runs for the pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.extensions import db
from tracker.jira import lock
from tracker.models import DriftFlag, Mitigation, Risk, SyncRun, Team
from tracker.paging import Page, clamp_page


def _open_drift(team_slug: str | None) -> sa.Select:
    """Open drift flags on risks not archived; a team narrows to flags on its mitigations (or
    its risks' own links).

    Every team's flags are read on the flag's own columns alone (no join): the archived risks
    are few, so the counts read the (kind, first_seen, id, risk_id, mitigation_id) index and
    nothing else. A team's flags need their risk's and mitigation's team; a join looks each up
    by its key as the index range is read, and stops a kind's page at its last row."""
    if not team_slug:
        archived = sa.select(Risk.id).where(Risk.archived_at.is_not(None))
        return sa.select(DriftFlag).where(DriftFlag.risk_id.not_in(archived))
    team_id = sa.select(Team.id).where(Team.slug == team_slug).scalar_subquery()
    return (
        sa.select(DriftFlag)
        .join(Risk, DriftFlag.risk_id == Risk.id)
        .outerjoin(Mitigation, DriftFlag.mitigation_id == Mitigation.id)
        .where(
            Risk.archived_at.is_(None),
            sa.or_(
                Mitigation.team_id == team_id,
                sa.and_(DriftFlag.mitigation_id.is_(None), Risk.team_id == team_id),
            ),
        )
    )


def drift_counts(team_slug: str | None = None) -> dict[str, int]:
    """How many drift flags there are of each kind, every kind of DRIFT_KINDS in its order
    (0 for none): one aggregate query."""
    query = (
        _open_drift(team_slug)
        .with_only_columns(DriftFlag.kind, sa.func.count())
        .group_by(DriftFlag.kind)
    )
    counts = dict.fromkeys(DRIFT_KINDS, 0)
    for kind, total in db.session.execute(query):
        if kind in counts:  # a kind no longer raised has no group to show
            counts[kind] = total
    return counts


def drift_page(
    kind: str, team_slug: str | None = None, *, total: int, page: int = 1, per_page: int = 50
) -> Page:
    """One page of the drift flags of a kind, oldest first, with the risk, mitigation and team
    each row shows: one query. `total` is the kind's count (drift_counts); a page past the
    last gives the last."""
    page = clamp_page(page, total, per_page)
    query = (
        _open_drift(team_slug)
        .where(DriftFlag.kind == kind)
        .options(
            joinedload(DriftFlag.risk),
            joinedload(DriftFlag.mitigation).joinedload(Mitigation.team),
        )
        .order_by(DriftFlag.first_seen, DriftFlag.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(db.session.scalars(query).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)


def flags_for_risk(risk: Risk) -> list[DriftFlag]:
    """The drift flags of a risk's own links and of its mitigations, oldest first, with the
    mitigation each is on (one query)."""
    return list(
        db.session.scalars(
            sa.select(DriftFlag)
            .where(DriftFlag.risk_id == risk.id)
            .options(joinedload(DriftFlag.mitigation))
            .order_by(DriftFlag.first_seen, DriftFlag.id)
        )
    )


def flags_for_mitigation(mitigation: Mitigation) -> list[DriftFlag]:
    return list(
        db.session.scalars(
            sa.select(DriftFlag)
            .where(DriftFlag.mitigation_id == mitigation.id)
            .order_by(DriftFlag.id)
        )
    )


def teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def sync_runs_page(page: int = 1, per_page: int = 50) -> Page:
    """One page of the runs, newest first (a run whose process died shows as abandoned): a
    count and one page of rows, whatever the number of runs. A page past the last gives the
    last."""
    lock.abandon_dead_runs()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun))
    page = clamp_page(page, total, per_page)
    runs = db.session.scalars(
        sa.select(SyncRun).order_by(SyncRun.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return Page(items=list(runs), total=total, page=page, per_page=per_page)


def last_run() -> SyncRun | None:
    lock.abandon_dead_runs()
    return db.session.scalar(sa.select(SyncRun).order_by(SyncRun.id.desc()).limit(1))


def last_successful_run() -> SyncRun | None:
    return db.session.scalar(
        sa.select(SyncRun)
        .where(SyncRun.status == "succeeded", SyncRun.dry_run.is_(False))
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
