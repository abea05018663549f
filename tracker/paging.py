"""A page of a long list: its rows, the list's total and where the page stands in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def first_number(self) -> int:
        """The place in the whole list of the page's first row (1 for the first page)."""
        return (self.page - 1) * self.per_page + 1


def clamp_page(page: int, total: int, per_page: int) -> int:
    """`page` moved into 1 … the last page (a page past the last shows the last)."""
    return min(max(page, 1), max(1, -(-total // per_page)))


def page_of_list(items: list[Any], page: int, per_page: int) -> Page:
    """Page `page` (clamped) of a list already in memory, e.g. the messages kept in one
    column; a list read from the database is paged in SQL instead."""
    page = clamp_page(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(
        items=items[start : start + per_page], total=len(items), page=page, per_page=per_page
    )


# More digits than any list has pages: read as "past the last page" rather than parsed.
_MAX_DIGITS = 9


def page_number(text: str | None) -> int:
    """The page a `?page=` value asks for: a whole number from 1. Anything else ("", "abc",
    "-1", "0") asks for the first page; a number past the last page is left for clamp_page."""
    text = (text or "").strip()
    if not text.isdecimal() or not text.isascii():
        return 1
    return max(int(text), 1) if len(text) <= _MAX_DIGITS else 10**_MAX_DIGITS
