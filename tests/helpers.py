"""Small helpers shared by test modules."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from werkzeug.serving import make_server

from tracker.extensions import db


@contextmanager
def counting_queries():
    """Yield a list that collects every SQL statement run inside the block, but the note of a
    login session's last use: written at most once a minute whatever the page (see
    tracker.auth.sessions), it is no part of what a page costs, and a test whose clock moves
    would otherwise see it come and go."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("UPDATE login_sessions SET last_seen_at"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app over HTTP on 127.0.0.1 and a free port, a thread per request, as a real
    server does; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


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


def record_incident(team, started, lasted, minutes, title: str = "Checkout down", **fields):
    """An incident of `team` recorded through the service: started at `started`, resolved
    `lasted` (a timedelta) later, or still open when `lasted` is None."""
    from tracker.incidents.services import create_incident

    raw = {
        "title": title,
        "severity": "sev2",
        "team": team.slug,
        "started_at": started.isoformat(),
        "resolved_at": (started + lasted).isoformat() if lasted is not None else "",
        "impact_minutes": str(minutes),
        **fields,
    }
    return create_incident(raw, None)


def load_planner_statistics(rows: list[tuple[str, str | None, str]]) -> None:
    """Give SQLite's planner these statistics (sqlite_stat1 rows: table, index, figures), as
    ANALYZE of a large database would, in place of the test data's own."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        for row in rows:
            conn.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
    db.engine.dispose()  # connections read the statistics when they open


def forget_planner_statistics() -> None:
    """Drop what ANALYZE taught SQLite's planner, so later tests plan as on a database that was
    never analysed (PostgreSQL's plans are not asserted by tests)."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.begin() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            conn.exec_driver_sql("DELETE FROM sqlite_stat1")
    db.engine.dispose()  # connections read the statistics when they open
