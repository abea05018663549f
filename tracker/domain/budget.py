"""Availability quantification after Google SRE's risk analysis: bad minutes per year
against the error budget of an SLO."""

from __future__ import annotations

from dataclasses import dataclass

DAYS_PER_YEAR = 365.25
MINUTES_PER_DAY = 1440
DEFAULT_SLO = 0.998
DEFAULT_TOO_BIG_SHARE = 0.25
# The range a quantification's numbers may take: beyond it they are typing slips, and at the
# extremes (an ETTF of 5e-324 days) the bad minutes overflow to infinity.
MAX_MINUTES = DAYS_PER_YEAR * MINUTES_PER_DAY  # ETTD or ETTR: at most a year
MIN_ETTF_DAYS = 1 / MINUTES_PER_DAY  # a failure every minute
MAX_ETTF_DAYS = 100 * DAYS_PER_YEAR  # once a century


def error_budget_minutes(slo: float = DEFAULT_SLO) -> float:
    """Minutes a year the service may be bad and still meet `slo` (0.998 → 1,051.92)."""
    if not 0 < slo < 1:
        raise ValueError(f"the SLO must lie between 0 and 1, got {slo!r}")
    return (1 - slo) * MINUTES_PER_DAY * DAYS_PER_YEAR


def incidents_per_year(ettf_days: float) -> float:
    """Expected failures a year when one happens every `ettf_days` days."""
    if ettf_days <= 0:
        raise ValueError("ETTF must be more than 0 days")
    return DAYS_PER_YEAR / ettf_days


def bad_minutes_per_year(
    ettd_minutes: float, ettr_minutes: float, users_impacted: float, ettf_days: float
) -> float:
    """(ETTD + ETTR) × share of users impacted × incidents a year."""
    if ettd_minutes < 0 or ettr_minutes < 0:
        raise ValueError("ETTD and ETTR cannot be negative")
    if not 0 <= users_impacted <= 1:
        raise ValueError("the share of users impacted must lie between 0 and 1")
    return (ettd_minutes + ettr_minutes) * users_impacted * incidents_per_year(ettf_days)


def budget_share(bad_minutes: float, slo: float = DEFAULT_SLO) -> float:
    """The share of the yearly error budget these bad minutes burn (1.0 = all of it)."""
    return bad_minutes / error_budget_minutes(slo)


@dataclass(frozen=True)
class Quantification:
    """The numbers derived from a risk's ETTD, ETTR, share of users and ETTF."""

    incidents_per_year: float
    bad_minutes_per_year: float
    budget_share: float
    too_big_to_accept: bool


def quantify(
    ettd_minutes: float,
    ettr_minutes: float,
    users_impacted: float,
    ettf_days: float,
    slo: float = DEFAULT_SLO,
    too_big_share: float = DEFAULT_TOO_BIG_SHARE,
) -> Quantification:
    """Everything the tracker shows about a quantified risk, in one call."""
    bad = bad_minutes_per_year(ettd_minutes, ettr_minutes, users_impacted, ettf_days)
    share = budget_share(bad, slo)
    return Quantification(
        incidents_per_year=incidents_per_year(ettf_days),
        bad_minutes_per_year=bad,
        budget_share=share,
        too_big_to_accept=share > too_big_share,
    )
