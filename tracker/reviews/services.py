"""Use cases of the weekly review: start, record decisions and notes, finish.

Admins run reviews; everyone reads them. A review freezes the register when it starts; once
finished, nothing about it changes. Each function validates, then commits once.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.extensions import db
from tracker.input_guard import MAX_ID_DIGITS
from tracker.models import DECISION_KINDS, Review, ReviewDecision, User
from tracker.reviews import changes as review_changes
from tracker.reviews import entries as review_entries
from tracker.reviews import incidents as review_incidents
from tracker.reviews import snapshot as review_snapshot
from tracker.risks import services as risk_services
from tracker.risks import settings as scoring_settings
from tracker.validation import PermissionDenied, ValidationError

__all__ = [
    "ReviewFinished",
    "finish_review",
    "open_review",
    "record_decision",
    "save_notes",
    "start_review",
]

NOTE_MAX = 2_000
NOTES_MAX = 20_000
# Kinds whose decision means nothing without a few words.
NOTE_REQUIRED = ("escalate", "rescore", "note")


class ReviewFinished(ValidationError):
    """The review is finished: its decisions and notes are frozen."""

    def __init__(self):
        super().__init__({"review": "This review is finished; its decisions and notes are frozen."})


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise PermissionDenied("Only admins run reviews.")


def open_review() -> Review | None:
    """The review in progress, if any."""
    return db.session.scalar(sa.select(Review).where(Review.finished_at.is_(None)))


def last_finished() -> Review | None:
    return db.session.scalar(
        sa.select(Review)
        .where(Review.finished_at.isnot(None))
        .order_by(Review.started_at.desc(), Review.id.desc())
        .limit(1)
    )


def start_review(actor: User) -> Review:
    """Open a review: snapshot the ranked register and what changed since the last finished
    review. Refused while another review is open (one at a time, enforced by the database)."""
    _require_admin(actor)
    # An acceptance that ran out is open again; the snapshot must show it so.
    risk_services.reopen_expired_acceptances()
    current = open_review()
    if current is not None:
        raise ValidationError.single(
            "review",
            f"Review #{current.id}, started {current.started_at:%Y-%m-%d}, is still open; "
            "finish it before starting another.",
        )
    now, today = clock.now(), clock.today()
    previous = last_finished()
    settings = scoring_settings.current()
    review = Review(
        started_at=now, started_by=actor, open_slot=1, previous=previous, snapshot="", changes=""
    )
    db.session.add(review)
    try:
        # The row first: the frozen register's rows name it.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError.single(
            "review", "Another review was started at the same moment; open it from the list."
        ) from None
    document, review.risk_count = review_snapshot.take(
        review.id, settings, today, now, current_app.config["DUE_SOON_DAYS"]
    )
    document["incidents"] = review_incidents.freeze(
        previous.started_at if previous else None, now, today, settings.slo
    )
    changes = review_changes.changes_since(previous, now)
    review.snapshot = json.dumps(document)
    review.changes = json.dumps(changes)
    review.change_count = review_changes.count(changes)
    db.session.commit()
    return review


def _hold_open(review: Review, **values) -> None:
    """Lock the review's row while it is still open (setting `values`), or raise
    ReviewFinished. The conditional UPDATE makes a decision and a finish that race serialise:
    whichever commits second sees the other."""
    values = values or {"notes": Review.notes}
    result = db.session.execute(
        sa.update(Review)
        .where(Review.id == review.id, Review.finished_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ReviewFinished()


def _check_open(review: Review, actor: User) -> None:
    _require_admin(actor)
    if not review.is_open:
        raise ReviewFinished()


def _parse_until(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError.single("until", "Give the date as YYYY-MM-DD.") from None


def _find_assignee(value) -> User | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text.isdecimal():
        # An id past nine digits names nobody (and past the INTEGER column, no query can ask).
        user = db.session.get(User, int(text)) if len(text) <= MAX_ID_DIGITS else None
    else:
        user = db.session.scalar(sa.select(User).where(User.email == text.lower()))
    if user is None or not user.active:
        raise ValidationError.single("assignee", f"No active user is {text!r}.")
    return user


def _decision_problems(review: Review, risk_key: str, kind: str, note: str, until, assignee):
    problems = {}
    if review_entries.position_of(review.id, risk_key) is None:
        problems["risk_key"] = f"{risk_key or 'That risk'} is not in this review's register."
    if kind not in DECISION_KINDS:
        problems["kind"] = f"The decision must be one of {', '.join(DECISION_KINDS)}."
    if len(note) > NOTE_MAX:
        problems["note"] = f"Use at most {NOTE_MAX} characters for the note."
    elif kind in NOTE_REQUIRED and not note:
        problems["note"] = "Say what was decided."
    if kind == "accept" and until is None:
        problems["until"] = "Give the date the acceptance runs until."
    elif kind == "accept" and until <= clock.today():
        problems["until"] = "The acceptance must run until a date after today."
    elif kind != "accept" and until is not None:
        problems["until"] = "Only an acceptance has an end date."
    if kind == "assign" and assignee is None:
        problems["assignee"] = "Choose who the risk is assigned to."
    elif kind != "assign" and assignee is not None:
        problems["assignee"] = "Only an assignment names a person."
    return problems


def record_decision(
    review: Review,
    actor: User,
    *,
    risk_key: str,
    kind: str,
    note: str = "",
    until: date | str | None = None,
    assignee: User | str | int | None = None,
) -> ReviewDecision:
    """Record a decision about one of the review's risks. It records the decision only; it does
    not change the risk (that is done on the risk's page).

    accept needs a future `until`; assign needs an active `assignee` (user id or email); escalate,
    rescore and note need a note.
    """
    _check_open(review, actor)
    risk_key, kind, note = (risk_key or "").strip().upper(), (kind or "").strip(), note or ""
    note = note.strip()
    until = _parse_until(until)
    if not isinstance(assignee, User):
        assignee = _find_assignee(assignee)
    problems = _decision_problems(review, risk_key, kind, note, until, assignee)
    if problems:
        raise ValidationError(problems)
    _hold_open(review)
    decision = ReviewDecision(
        review=review,
        risk_key=risk_key,
        kind=kind,
        note=note,
        until=until,
        assignee=assignee,
        created_by=actor,
        created_at=clock.now(),
    )
    db.session.add(decision)
    db.session.commit()
    return decision


def _clean_notes(notes: str | None) -> str:
    text = (notes or "").strip()
    if len(text) > NOTES_MAX:
        raise ValidationError.single("notes", f"Use at most {NOTES_MAX} characters for the notes.")
    return text


def save_notes(review: Review, actor: User, notes: str) -> None:
    """Replace the review's general notes while it is open."""
    _check_open(review, actor)
    text = _clean_notes(notes)
    _hold_open(review, notes=text)
    db.session.commit()


def finish_review(review: Review, actor: User, notes: str | None = None) -> None:
    """Freeze the review, with its final notes when given: no decision or note can follow."""
    _check_open(review, actor)
    values = {"finished_at": clock.now(), "finished_by_id": actor.id, "open_slot": None}
    if notes is not None:
        values["notes"] = _clean_notes(notes)
    _hold_open(review, **values)
    db.session.commit()
