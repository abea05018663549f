"""Building JQL: every value that goes into a query is checked or quoted here.

Issue keys are checked against the shape Jira gives them and may then stand bare; anything else
a query carries (a label, a project key, a status) is written as a quoted JQL string, so no
value can end the clause it belongs to and add one of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Project key (a letter, then letters, digits or _), a hyphen, an issue number without
# leading zero: what Jira issues, and what fits the tracker's ticket key column.
ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,30}-[1-9]\d{0,8}$")
CUSTOM_FIELD = re.compile(r"^customfield_(\d{1,12})$")


def quote(value: str) -> str:
    """`value` as a JQL string literal: double-quoted, with backslashes and quotes escaped.

    Raises ValueError for a line break or a NUL, which no JQL string may carry.
    """
    if any(character in value for character in "\r\n\x00"):
        raise ValueError(f"A JQL value cannot hold a line break or a NUL: {value!r}")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def issue_keys(keys: Iterable[str]) -> str:
    """`keys` as a JQL list, `(ABC-1, ABC-2)`; ValueError for anything not shaped like a key."""
    checked = list(keys)
    wrong = [key for key in checked if not ISSUE_KEY.match(key)]
    if wrong or not checked:
        raise ValueError(f"Not Jira issue keys: {wrong!r}" if wrong else "No issue keys given.")
    return "(" + ", ".join(checked) + ")"


def custom_field(field_id: str) -> str:
    """`customfield_10008` as JQL's `cf[10008]`; ValueError for any other field id."""
    match = CUSTOM_FIELD.match(field_id)
    if not match:
        raise ValueError(f"Not a custom field id (customfield_<number>): {field_id!r}")
    return f"cf[{match.group(1)}]"
