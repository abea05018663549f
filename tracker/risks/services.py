"""Use cases for risks: create, edit, move through the lifecycle, archive, review.

Every function checks permissions, validates, writes the audit events and commits once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker import clock
from tracker.domain import budget, lifecycle, scoring
from tracker.extensions import db
from tracker.models import Risk, Tag, User
from tracker.risks import history, permissions
from tracker.risks import settings as scoring_settings
from tracker.risks.fields import (
    QUANTIFICATION_FIELDS,
    RESIDUAL_FIELDS,
    SCALE_FIELDS,
    Lookups,
    clean_risk_values,
)
from tracker.risks.keys import RISK_KEYS
from tracker.validation import PermissionDenied, StaleVersion, ValidationError

SCORE_FIELDS = SCALE_FIELDS


def tags_named(names: list[str]) -> list[Tag]:
    """The Tag rows for these names, creating the missing ones (one query)."""
    if not names:
        return []
    # No autoflush: the risk being edited may be half-updated, and flushing it here would
    # save it (and bump its version) twice.
    with db.session.no_autoflush:
        existing = {
            tag.name: tag for tag in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))
        }
    return [existing.get(name) or Tag(name=name) for name in names]


def derive(risk: Risk) -> None:
    """Recompute the stored scores and bad minutes from the risk's inputs."""
    for name, value in derived_figures(lambda field: getattr(risk, field)).items():
        setattr(risk, name, value)


def derived_figures(value_of: Callable[[str], object]) -> dict[str, object]:
    """The stored scores and bad minutes of a risk whose inputs `value_of(field)` gives."""
    numbers = [value_of(name) for name in QUANTIFICATION_FIELDS]
    return {
        "score": scoring.score(value_of("likelihood"), value_of("impact")),
        "residual_score": scoring.residual_score(
            value_of("residual_likelihood"), value_of("residual_impact")
        ),
        "bad_minutes_per_year": None if None in numbers else budget.bad_minutes_per_year(*numbers),
    }


def _default_next_review(risk: Risk, settings) -> date:
    return scoring.next_review(
        settings.band(risk.score), clock.today(), settings.review_cadence_days
    )


def _apply(risk: Risk, clean: Mapping[str, object]) -> list[tuple[str, object, object]]:
    """Set the cleaned values on the risk; return (field, old, new) for each.

    Without autoflush: loading the old tags would otherwise save the half-applied change first,
    and the risk would take two versions for one edit.
    """
    with db.session.no_autoflush:
        return [_apply_one(risk, name, value) for name, value in clean.items()]


def _apply_one(risk: Risk, name: str, value) -> tuple[str, object, object]:
    if name == "tags":
        old = risk.tag_names
        if old != value:
            risk.tags = tags_named(value)
        return ("tags", old, value)
    old = getattr(risk, name)
    if old != value:
        setattr(risk, name, value)
    return (name, old, value)


def create_risk(
    raw: Mapping[str, object],
    actor: User | None,
    lookups: Lookups | None = None,
) -> Risk:
    """Create a risk from the editable fields in `raw` (status starts open), numbered by the
    RISK-n series: simultaneous creates each get their own key, none is refused for it."""
    settings = scoring_settings.current()
    clean = clean_risk_values(raw, lookups or Lookups.load(), settings, creating=True)
    if actor is not None and not permissions.can_create_in(actor, clean["team"]):
        raise ValidationError.single("team", "You can create risks only for your own teams.")
    risk = Risk(
        status="open",
        created_by=actor,
        updated_by=actor,
        updated_at=clock.now(),
        created_at=clock.now(),
    )
    _apply(risk, clean)
    derive(risk)
    if risk.next_review is None:
        risk.next_review = _default_next_review(risk, settings)
    try:
        risk.number = RISK_KEYS.allocate()
        db.session.add(risk)
        history.record(risk, actor, [("created", None, risk.key)])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return risk


def _merge_groups(risk: Risk, raw: Mapping[str, object]) -> dict[str, object]:
    """A partial update of the four numbers, or of one residual level, keeps the others."""
    merged = dict(raw)
    for group in (QUANTIFICATION_FIELDS, RESIDUAL_FIELDS):
        if any(name in raw for name in group):
            for name in group:
                merged.setdefault(name, getattr(risk, name))
    return merged


def update_risk(
    risk: Risk,
    raw: Mapping[str, object],
    actor: User | None,
    *,
    expected_version: int | None,
    reason: str = "",
    lookups: Lookups | None = None,
) -> list[tuple[str, object, object]]:
    """Change the editable fields present in `raw`; return what changed.

    Refuses with StaleVersion when the risk moved past `expected_version`, and asks for a
    reason when a score changes.
    """
    if actor is not None and not permissions.can_edit(actor, risk):
        raise PermissionDenied(permissions.refusal(actor, risk.team, risk.key))
    if expected_version is not None and expected_version != risk.version:
        raise StaleVersion(risk, history.changes_since(risk, expected_version))
    settings = scoring_settings.current()
    clean = clean_risk_values(
        _merge_groups(risk, raw), lookups or Lookups.load(), settings, creating=False
    )
    if (
        actor is not None
        and "team" in clean
        and not permissions.can_create_in(actor, clean["team"])
    ):
        raise ValidationError.single("team", "You can move risks only to your own teams.")
    if clean.get("next_review", risk.next_review) is None:
        clean["next_review"] = risk.next_review
    score_changes = [
        name for name in SCORE_FIELDS if name in clean and clean[name] != getattr(risk, name)
    ]
    if score_changes and not reason.strip():
        raise ValidationError.single(
            "reason", "Say why the score changes (it goes in the history)."
        )
    changes = [
        change
        for change in _apply(risk, clean)
        if history.display_value(change[1]) != history.display_value(change[2])
    ]
    if not changes:
        db.session.rollback()
        return []
    derive(risk)
    risk.updated_by = actor
    risk.updated_at = clock.now()
    _commit_changes(risk, actor, changes, reason)
    return changes


def _commit_changes(risk: Risk, actor: User | None, changes, reason: str) -> None:
    version_read = risk.version
    try:
        history.record(risk, actor, changes, reason=reason)
        db.session.commit()
    except StaleDataError:
        # Another process saved this risk between our read and our write.
        db.session.rollback()
        raise StaleVersion(risk, history.changes_since(risk, version_read)) from None


def change_status(
    risk: Risk,
    target: str,
    actor: User | None,
    *,
    reason: str = "",
    approver: User | None = None,
    expires_on: date | None = None,
    expected_version: int | None = None,
) -> None:
    """Move the risk to `target`, checking the lifecycle's rules (see domain.lifecycle)."""
    if actor is not None and not permissions.can_edit(actor, risk):
        raise PermissionDenied(permissions.refusal(actor, risk.team, risk.key))
    if expected_version is not None and expected_version != risk.version:
        raise StaleVersion(risk, history.changes_since(risk, expected_version))
    problems = lifecycle.transition_problems(
        risk.status,
        target,
        reason=reason,
        approver_id=approver.id if approver else None,
        expires_on=expires_on,
        today=clock.today(),
    )
    if problems:
        raise ValidationError(problems)
    changes = [("status", risk.status, target)]
    if target == "accepted":
        changes += [
            ("accepted_by", risk.accepted_by, approver),
            ("acceptance_expires", risk.acceptance_expires, expires_on),
        ]
        risk.accepted_by, risk.acceptance_expires = approver, expires_on
    elif risk.status == "accepted":
        changes += [
            ("accepted_by", risk.accepted_by, None),
            ("acceptance_expires", risk.acceptance_expires, None),
        ]
        risk.accepted_by, risk.acceptance_expires = None, None
    risk.status = target
    risk.updated_by = actor
    risk.updated_at = clock.now()
    _commit_changes(risk, actor, changes, reason)


def mark_reviewed(risk: Risk, actor: User, note: str = "") -> None:
    """Record a review and set the next one from the band's cadence."""
    if not permissions.can_edit(actor, risk):
        raise PermissionDenied(permissions.refusal(actor, risk.team, risk.key))
    settings = scoring_settings.current()
    new_date = scoring.next_review(
        settings.band(risk.score), clock.today(), settings.review_cadence_days
    )
    changes = [("reviewed", None, clock.today()), ("next_review", risk.next_review, new_date)]
    risk.next_review = new_date
    risk.updated_by = actor
    risk.updated_at = clock.now()
    _commit_changes(risk, actor, changes, note)


def archive(risk: Risk, actor: User, reason: str = "") -> None:
    """Take the risk out of the register and dashboard; its history stays."""
    if not permissions.can_archive(actor):
        raise PermissionDenied("Only admins archive risks.")
    if risk.archived_at is None:
        risk.archived_at = clock.now()
        risk.updated_by = actor
        risk.updated_at = clock.now()
        _commit_changes(risk, actor, [("archived", "no", "yes")], reason)


def restore(risk: Risk, actor: User, reason: str = "") -> None:
    """Bring an archived risk back into the register."""
    if not permissions.can_archive(actor):
        raise PermissionDenied("Only admins restore risks.")
    if risk.archived_at is not None:
        risk.archived_at = None
        risk.updated_by = actor
        risk.updated_at = clock.now()
        _commit_changes(risk, actor, [("archived", "yes", "no")], reason)


def reopen_expired_acceptances() -> int:
    """Reopen every accepted risk whose acceptance has expired; return how many.

    Called when pages load, so expiry shows without a scheduler. Costs one query when none
    expired.
    """
    today = clock.today()
    expired = db.session.scalars(
        sa.select(Risk).where(
            lifecycle.acceptance_expired_sql(Risk.status, Risk.acceptance_expires, today)
        )
    ).all()
    for risk in expired:
        expires = risk.acceptance_expires
        changes = [
            ("status", "accepted", "open"),
            ("accepted_by", risk.accepted_by, None),
            ("acceptance_expires", expires, None),
        ]
        risk.status, risk.accepted_by, risk.acceptance_expires = "open", None, None
        risk.updated_at = clock.now()
        history.record(risk, None, changes, reason=f"Acceptance expired on {expires.isoformat()}.")
    if expired:
        try:
            db.session.commit()
        except StaleDataError:
            # Another process reopened them first; its events stand.
            db.session.rollback()
    return len(expired)
