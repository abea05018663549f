"""What a risk's page shows of its mitigations (used by tracker.risks.routes)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.domain import mitigations as rules
from tracker.extensions import db
from tracker.jira import epics
from tracker.mitigations import permissions
from tracker.models import Mitigation, Risk, User


def for_risk_page(risk: Risk, user: User) -> dict[str, object]:
    """The risk's mitigations in order, their due states, their epic progress, what the user may
    do with them, and whether the owner should re-score (every mitigation finished). Two queries."""
    mitigations = list(
        db.session.scalars(
            sa.select(Mitigation)
            .where(Mitigation.risk_id == risk.id)
            .options(joinedload(Mitigation.owner), joinedload(Mitigation.team))
            .order_by(Mitigation.position, Mitigation.id)
        )
    )
    today, window = clock.today(), current_app.config["DUE_SOON_DAYS"]
    return {
        "mitigations": mitigations,
        "mitigation_states": {
            m.id: rules.due_state(m.status, m.due_date, today, window) for m in mitigations
        },
        "mitigation_editable": {m.id: permissions.can_edit(user, m) for m in mitigations},
        "can_add_mitigation": permissions.can_add_to(user, risk) and not risk.archived_at,
        "can_reorder": permissions.can_reorder(user, risk) and not risk.archived_at,
        "epic_progress": defaultdict(
            lambda: None, epics.progress_by_mitigation([m.id for m in mitigations])
        ),
        "needs_rescore": rules.needs_rescore(risk.status, (m.status for m in mitigations)),
    }
