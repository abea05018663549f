"""What incidents say about the program: risks whose estimate looks too low, reviews not held
in time, and incidents too big to leave without a follow-up.

Each rule is a plain function; where the dashboard asks the database, its SQL form sits beside
it, built from the columns the caller passes (this module knows no models), and a test pins
the two together.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tracker.domain.budget import DEFAULT_SLO
from tracker.domain.error_budget import POLICY_WINDOW_DAYS, allowed_minutes

DEFAULT_REVIEW_DAYS = 7
# "Estimate looks too low": this many incidents in a year from a risk rated this unlikely …
CALIBRATION_MIN_INCIDENTS = 2
CALIBRATION_MAX_LIKELIHOOD = 2
# … or more than this many times its estimated bad minutes a year actually spent.
CALIBRATION_MINUTES_FACTOR = 2
# Google's example error-budget policy: an incident that used more than this share of the
# 28-day budget gets at least one follow-up.
FOLLOW_UP_BUDGET_SHARE = 0.2


def estimate_looks_too_low(
    likelihood: int | None,
    estimated_bad_minutes_per_year: float | None,
    incidents_365d: int,
    actual_bad_minutes_365d: float,
) -> bool:
    """True when a risk's incidents of the last 365 days contradict its estimate.

    Either it materialised CALIBRATION_MIN_INCIDENTS or more times while its likelihood is
    CALIBRATION_MAX_LIKELIHOOD or lower, or it actually cost more than
    CALIBRATION_MINUTES_FACTOR × its estimated bad minutes a year (a risk that is not
    quantified is judged on the first part only).
    """
    too_frequent = (
        likelihood is not None
        and likelihood <= CALIBRATION_MAX_LIKELIHOOD
        and incidents_365d >= CALIBRATION_MIN_INCIDENTS
    )
    too_costly = (
        estimated_bad_minutes_per_year is not None
        and actual_bad_minutes_365d > CALIBRATION_MINUTES_FACTOR * estimated_bad_minutes_per_year
    )
    return too_frequent or too_costly


def estimate_looks_too_low_sql(likelihood, estimated_bad_minutes_per_year, incidents_365d, actual):
    """estimate_looks_too_low as an SQL condition over a risk's columns and its 365-day
    incident count and minutes (e.g. columns of a grouped subquery)."""
    return sa.or_(
        sa.and_(
            likelihood <= CALIBRATION_MAX_LIKELIHOOD,
            incidents_365d >= CALIBRATION_MIN_INCIDENTS,
        ),
        sa.and_(
            estimated_bad_minutes_per_year.isnot(None),
            actual > CALIBRATION_MINUTES_FACTOR * estimated_bad_minutes_per_year,
        ),
    )


def review_due_by(resolved_at: datetime, review_days: int = DEFAULT_REVIEW_DAYS) -> datetime:
    """When the review of an incident resolved at `resolved_at` must have been held."""
    return resolved_at + timedelta(days=review_days)


def review_overdue(
    status: str,
    resolved_at: datetime | None,
    review_date: date | None,
    now: datetime,
    today: date,
    review_days: int = DEFAULT_REVIEW_DAYS,
) -> bool:
    """True when a resolved incident's review was not held within `review_days` of resolving.

    A review is held once its review date is today or earlier (a date ahead is only planned);
    a closed incident is done with, reviewed or not. An open incident has no deadline yet.
    """
    if status == "closed" or resolved_at is None:
        return False
    held = review_date is not None and review_date <= today
    return not held and now > review_due_by(resolved_at, review_days)


def review_overdue_sql(
    status, resolved_at, review_date, now: datetime, today: date, review_days: int
):
    """review_overdue as an SQL condition on the incident's columns."""
    return sa.and_(
        status != "closed",
        resolved_at.isnot(None),
        resolved_at < now - timedelta(days=review_days),
        sa.or_(review_date.is_(None), review_date > today),
    )


def follow_up_threshold_minutes(slo: float = DEFAULT_SLO) -> float:
    """Impact minutes above which an incident needs a follow-up (16.128 at 99.8%)."""
    return FOLLOW_UP_BUDGET_SHARE * allowed_minutes(POLICY_WINDOW_DAYS, slo)


def needs_follow_up(
    impact_minutes: float | None, follow_ups: int, slo: float = DEFAULT_SLO
) -> bool:
    """True when an incident used more than FOLLOW_UP_BUDGET_SHARE of the 28-day budget and
    has no follow-up (cancelled ones do not count: the caller leaves them out)."""
    return (
        impact_minutes is not None
        and impact_minutes > follow_up_threshold_minutes(slo)
        and follow_ups == 0
    )


def needs_follow_up_sql(impact_minutes, has_follow_up, slo: float):
    """needs_follow_up as an SQL condition: `has_follow_up` is an EXISTS over its live
    follow-ups."""
    return sa.and_(impact_minutes > follow_up_threshold_minutes(slo), ~has_follow_up)
