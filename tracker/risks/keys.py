"""Risk keys: RISK-<n>."""

from __future__ import annotations

import re

from tracker.models.risks import KEY_PREFIX

KEY_PATTERN = re.compile(r"^\s*RISK-(\d{1,9})\s*$", re.IGNORECASE)


def parse_key(text: str) -> int | None:
    """The number in a key such as "RISK-12" (any case), or None when it is not one."""
    match = KEY_PATTERN.match(text or "")
    if not match or int(match.group(1)) == 0:
        return None
    return int(match.group(1))


def format_key(number: int) -> str:
    return f"{KEY_PREFIX}{number}"
