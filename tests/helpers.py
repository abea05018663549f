"""Small helpers shared by test modules."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db


@contextmanager
def counting_queries():
    """Yield a list that collects every SQL statement run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
