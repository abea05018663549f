"""Each risk's mitigation work state, stored on the risk and kept current in one place.

`Risk.mitigation_work` (tracker.domain.mitigations.work_state: "none", "open" or "done") answers
the dashboard's "risks to mitigate with no mitigation" and "mitigations complete, not
re-scored" as index ranges; asked of the mitigations, they are a lookup for every risk in the
register, on every computation of the dashboard.

A hook on every database session keeps it current, so no write path can forget it: after each
flush that adds or deletes a mitigation, or changes one's status or risk, one UPDATE
recomputes the state of the risks concerned from their mitigations. Writes below the ORM (bulk
loaders that INSERT mitigations as rows) call `refresh_all()` when they are done.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.models import Mitigation, Risk

_PENDING = "mitigation_work_risks"
# Ids per UPDATE: far below every driver's limit on bound parameters.
_CHUNK = 500


def state_sql() -> sa.ColumnElement[str]:
    """SQL: the work state of the risk row, from its mitigations."""
    return rules.work_state_sql(Risk.id, Mitigation.risk_id, Mitigation.status)


def refresh(session, risk_ids: Iterable[int]) -> None:
    """Recompute the stored work state of these risks from their mitigations."""
    ids = sorted({risk_id for risk_id in risk_ids if risk_id is not None})
    table = Risk.__table__
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # Below the ORM: the state is derived, not an edit of the risk, so it neither bumps
        # the risk's version (nobody's open edit form goes stale) nor its updated_at.
        session.execute(
            sa.update(table).where(table.c.id.in_(chunk)).values(mitigation_work=state_sql())
        )
        for risk_id in chunk:
            loaded = session.identity_map.get(session.identity_key(Risk, risk_id))
            if loaded is not None:
                session.expire(loaded, ["mitigation_work"])


def refresh_all() -> None:
    """Recompute every risk's stored work state (after mitigations were written in bulk)."""
    db.session.execute(sa.update(Risk.__table__).values(mitigation_work=state_sql()))


def listen() -> None:
    """Install the hooks on the app's session class (once per process)."""
    if event.contains(Session, "after_flush_postexec", _refresh_flushed):
        return
    event.listen(Session, "after_flush", _note_flushed)
    event.listen(Session, "after_flush_postexec", _refresh_flushed)


def _risks_of_changed(instance: Mitigation) -> set[int]:
    state = sa.inspect(instance)
    moved = state.attrs.risk_id.history
    if not (state.attrs.status.history.has_changes() or moved.has_changes()):
        return set()
    # A mitigation moved to another risk changes the state of both.
    return {instance.risk_id, *moved.deleted}


def _note_flushed(session, _flush_context) -> None:
    # After a flush the session still lists what it flushed, with each attribute's history.
    risk_ids = session.info.setdefault(_PENDING, set())
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, Mitigation):
            risk_ids.add(instance.risk_id)
    for instance in session.dirty:
        if isinstance(instance, Mitigation):
            risk_ids |= _risks_of_changed(instance)


def _refresh_flushed(session, _flush_context) -> None:
    risk_ids = session.info.pop(_PENDING, None)
    if risk_ids:
        refresh(session, risk_ids)
