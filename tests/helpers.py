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


def new_mitigation(
    risk, clock, title: str = "Replica in a second zone", team: str = "sre", follow: bool = True
):
    """A planned mitigation of `risk`, due in 30 days, following Jira or not."""
    from datetime import timedelta

    from tracker.mitigations.services import add_mitigation

    due = clock.current.date() + timedelta(days=30)
    mitigation = add_mitigation(risk, {"title": title, "team": team, "due_date": due}, None)
    if mitigation.follow_jira != follow:
        mitigation.follow_jira = follow
        db.session.commit()
    return mitigation
