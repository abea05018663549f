"""Risk scores, bands, the labelled levels of each scale and the review cadence.

Where the database must answer a rule too (a band, for grouping and filtering), its SQL form
sits beside the Python function and takes the columns to apply it to; tests/test_domain_sql.py
checks that the two agree on generated registers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

SCALE = range(1, 6)
MAX_SCORE = 25
BANDS = ("low", "medium", "high", "critical")

# Lowest score of each band; a score belongs to the highest band whose floor it reaches.
DEFAULT_BAND_FLOORS: Mapping[str, int] = {"low": 1, "medium": 5, "high": 10, "critical": 15}
DEFAULT_REVIEW_CADENCE_DAYS: Mapping[str, int] = {
    "critical": 7,
    "high": 14,
    "medium": 30,
    "low": 90,
}


@dataclass(frozen=True)
class Level:
    """One step of a 1–5 scale: its label and what it means for availability."""

    value: int
    label: str
    definition: str


DEFAULT_LIKELIHOOD_LEVELS: Sequence[Level] = (
    Level(1, "Rare", "Not expected in the next several years; no similar failure seen here."),
    Level(2, "Unlikely", "Could happen within a few years; it has happened elsewhere."),
    Level(3, "Possible", "Expected about once a year; near misses have been seen."),
    Level(4, "Likely", "Expected several times a year; it has happened here before."),
    Level(5, "Almost certain", "Expected monthly or more often, or happening now."),
)

DEFAULT_IMPACT_LEVELS: Sequence[Level] = (
    Level(1, "Negligible", "No customer-visible effect; internal tooling slows down."),
    Level(2, "Minor", "A few customers see errors or slowness for minutes; little budget burnt."),
    Level(3, "Moderate", "A feature is down or degraded for many customers for up to an hour."),
    Level(4, "Major", "A core product is down for most customers, or hours of partial outage."),
    Level(
        5, "Severe", "Full outage or data loss; the yearly error budget is at risk in one event."
    ),
)


def score(likelihood: int, impact: int) -> int:
    """Likelihood × impact, each on the 1–5 scale."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise ValueError(f"{name} must be 1 to 5, got {value!r}")
    return likelihood * impact


def residual_score(likelihood: int | None, impact: int | None) -> int | None:
    """The residual score, or None while it is not assessed (either level missing)."""
    return None if likelihood is None or impact is None else score(likelihood, impact)


def validate_band_floors(floors: Mapping[str, int]) -> None:
    """Raise ValueError unless the floors start at 1 and strictly increase low → critical."""
    values = [floors.get(band) for band in BANDS]
    if None in values or values[0] != 1:
        raise ValueError("band floors must name low, medium, high and critical, low starting at 1")
    if any(b <= a for a, b in pairwise(values)) or values[-1] > MAX_SCORE:
        raise ValueError("band floors must strictly increase and stay within 1 to 25")


def band(score_value: int, floors: Mapping[str, int] = DEFAULT_BAND_FLOORS) -> str:
    """The band (low, medium, high, critical) a score of 1–25 falls in."""
    if not 1 <= score_value <= MAX_SCORE:
        raise ValueError(f"score must be 1 to 25, got {score_value!r}")
    for name in reversed(BANDS):
        if score_value >= floors[name]:
            return name
    raise AssertionError("unreachable: low starts at 1")


def band_sql(
    score_value: ColumnElement[int], floors: Mapping[str, int] = DEFAULT_BAND_FLOORS
) -> ColumnElement[str]:
    """SQL form of band(): the band name of a score column (NULL for a NULL score)."""
    return sa.case(
        *[(score_value >= floors[name], name) for name in reversed(BANDS)], else_=sa.null()
    )


def in_band_sql(
    score_value: ColumnElement[int], name: str, floors: Mapping[str, int] = DEFAULT_BAND_FLOORS
) -> ColumnElement[bool]:
    """SQL: band(score) == name, written as a range of scores so an index on the score
    answers it."""
    low, high = band_range(name, floors)
    return score_value.between(low, high)


def band_range(name: str, floors: Mapping[str, int] = DEFAULT_BAND_FLOORS) -> tuple[int, int]:
    """The lowest and highest score of a band, e.g. ("medium") -> (5, 9)."""
    position = BANDS.index(name)
    upper = floors[BANDS[position + 1]] - 1 if position + 1 < len(BANDS) else MAX_SCORE
    return floors[name], upper


def next_review(
    band_name: str,
    reviewed_on: date,
    cadence_days: Mapping[str, int] = DEFAULT_REVIEW_CADENCE_DAYS,
) -> date:
    """When a risk of this band, reviewed on `reviewed_on`, is next due for review."""
    return reviewed_on + timedelta(days=cadence_days[band_name])


def level_for(levels: Sequence[Level], text: str) -> int | None:
    """The 1–5 value named by `text`: a number or a label (any case); None if neither."""
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdecimal() and int(cleaned) in SCALE:
        return int(cleaned)
    for level in levels:
        if level.label.lower() == cleaned.lower():
            return level.value
    return None
