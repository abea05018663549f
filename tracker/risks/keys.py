"""Risk keys: RISK-<n>, numbered by the tracker (see tracker/numbering.py)."""

from __future__ import annotations

from tracker.models.risks import KEY_PREFIX, Risk
from tracker.numbering import KeySeries

RISK_KEYS = KeySeries("risks", KEY_PREFIX, Risk.number)


def parse_key(text: str | None) -> int | None:
    """The number in a key such as "RISK-12" (any case), or None when it is not one the
    tracker could have issued."""
    return RISK_KEYS.parse(text)


def format_key(number: int) -> str:
    return RISK_KEYS.format(number)
