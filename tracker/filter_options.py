"""Filter menus that stay small: a menu offers its options while they are few. Past
OPTION_LIMIT (a large company's owners, tags or services) the filter is a text box instead:
thousands of options make neither a usable menu nor a small page."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db

OPTION_LIMIT = 200


def menu_options(query: sa.Select) -> list | None:
    """The rows of `query` to offer in a menu, or None when there are more than OPTION_LIMIT
    (one query, reading at most one row past the limit)."""
    rows = db.session.scalars(query.limit(OPTION_LIMIT + 1)).all()
    return list(rows) if len(rows) <= OPTION_LIMIT else None
