"""Text from remote systems, made to fit the column it is stored in.

Jira (and anything else outside the tracker) may send a 250-character assignee for a 200-
character column, a NUL byte PostgreSQL refuses, or half of a surrogate pair no database can
encode. `fit` makes such text storable, on every database the same way, instead of letting one
odd value fail a whole write.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

ELLIPSIS = "…"
# NUL, which PostgreSQL refuses in text, and lone surrogates, which no UTF-8 database stores.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def column_length(column: InstrumentedAttribute | sa.Column) -> int | None:
    """The column's maximum length in characters, as the model declares it (None: unbounded)."""
    return getattr(column.type, "length", None)


def fit(column: InstrumentedAttribute | sa.Column, text: str | None) -> str | None:
    """`text` as the column can store it: unstorable characters replaced with U+FFFD, and cut to
    the column's length with "…" as its last character when longer. None stays None."""
    if text is None:
        return None
    text = UNSTORABLE.sub("\ufffd", text)
    limit = column_length(column)
    if limit is not None and len(text) > limit:
        return text[: limit - len(ELLIPSIS)] + ELLIPSIS
    return text
