"""Human keys such as RISK-12: numbered series that simultaneous creates share safely.

A `KeySeries` names a kind of record (risks: RISK-n; any other record that needs a key of
its own gets a series the same way) and the column that stores its numbers. `allocate()`
takes the next numbers inside the caller's transaction by raising the series' row in
`key_counters`:

- two creates never get the same number: on PostgreSQL the UPDATE's row lock makes the second
  wait until the first commits, then it takes the number after; on SQLite the write lock
  does the same. Nobody is refused, everybody waits a few milliseconds at most.
- a create that rolls back gives its number back (the counter rolls back with it), so numbers
  are never skipped by a failed save, and never reused once committed.
- the counter never falls behind the numbers already stored (rows written by an older version,
  a restore, or a data fix): each allocation starts after whichever is higher.
- no series gives out a number past `MAX_NUMBER`, the bound `parse` accepts, so every key the
  tracker issues resolves in a URL.

To add a series: define `KeySeries("incidents", "INC-", Incident.number)` next to the model and
call `series.allocate()` where the record is created, in the same transaction as the INSERT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models.key_counter import KeyCounter
from tracker.validation import ValidationError

# Keys have at most nine digits: short enough to read out, and always within a 32-bit integer.
MAX_DIGITS = 9
MAX_NUMBER = 10**MAX_DIGITS - 1


@dataclass(frozen=True)
class KeySeries:
    """One numbered series: its counter's name, its key prefix and the column of its numbers."""

    name: str
    prefix: str
    column: sa.orm.InstrumentedAttribute = field(repr=False)
    max_number: int = MAX_NUMBER

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^\s*{re.escape(self.prefix)}(\d{{1,{MAX_DIGITS}}})\s*$", re.IGNORECASE)

    def format(self, number: int) -> str:
        """The key of a number: RISK-12."""
        return f"{self.prefix}{number}"

    def parse(self, text: str | None) -> int | None:
        """The number in a key of this series (any case, surrounding spaces allowed), or None
        when the text is not one: another prefix, 0, or past the numbers the series issues."""
        match = self.pattern.match(text or "")
        if not match:
            return None
        number = int(match.group(1))
        return number if 1 <= number <= self.max_number else None

    def allocate(self, count: int = 1) -> int:
        """Reserve `count` consecutive numbers in the current transaction; return the first.

        Commit the records that use them in the same transaction. Raises ValidationError
        (field "key") when the series has no numbers left.
        """
        _ensure_counter(self.name)
        table = KeyCounter.__table__
        used = sa.select(sa.func.coalesce(sa.func.max(self.column), 0)).scalar_subquery()
        last = sa.case((table.c.last_number >= used, table.c.last_number), else_=used)
        statement = (
            sa.update(table)
            .where(table.c.series == self.name, last + count <= self.max_number)
            .values(last_number=last + count)
            .returning(table.c.last_number)
        )
        new_last = db.session.execute(statement).scalar_one_or_none()
        if new_last is None:
            raise ValidationError.single(
                "key",
                f"Every key up to {self.format(self.max_number)} has been given out; "
                "no more records of this kind can be created.",
            )
        return new_last - count + 1


def _ensure_counter(series: str) -> None:
    """Create the series' counter row unless it exists (a no-op that takes no lock if it does)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(KeyCounter.__table__)
        .values(series=series, last_number=0)
        .on_conflict_do_nothing(index_elements=["series"])
    )
