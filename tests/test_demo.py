"""`flask demo`: a realistic availability program in an empty database, made through the
app's services (so history, trends and reviews are real), dated relative to today."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.test_cli import db_snapshot
from tracker.demo.incidents import INCIDENTS
from tracker.demo.program import RISKS
from tracker.extensions import db
from tracker.models import (
    Incident,
    JiraLink,
    JiraTicket,
    Mitigation,
    Review,
    ReviewDecision,
    Risk,
    RiskEvent,
    Team,
    User,
    WeeklySnapshot,
)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_fills_an_empty_database_with_a_realistic_program(runner, clock, auth):
    """One build (it takes a few seconds), each part of the program checked in turn."""
    demo = runner.invoke(args=["demo"])
    assert demo.exit_code == 0, demo.output
    check_teams_people_and_about_forty_quantified_risks()
    check_work_on_and_off_schedule_with_slips_blocks_and_unsynced_jira(clock)
    check_history_reviews_and_trends_are_real_and_dated_before_today(clock)
    check_a_year_of_incidents_with_reviews_follow_ups_and_one_waiting(clock)
    check_each_account_is_printed_once_and_its_password_signs_in(demo, auth)


def check_teams_people_and_about_forty_quantified_risks():
    assert count(Team) == 4 and count(User) == 6
    assert count(Risk) == len(RISKS) >= 35
    categories = db.session.scalars(sa.select(Risk.category_id).distinct()).all()
    assert len(categories) == 7, "every default category"
    assert count(Risk, Risk.bad_minutes_per_year.isnot(None)) >= 20
    statuses = set(db.session.scalars(sa.select(Risk.status).distinct()))
    assert {"open", "mitigating", "mitigated", "accepted", "closed"} <= statuses


def check_a_year_of_incidents_with_reviews_follow_ups_and_one_waiting(clock):
    now = clock.current
    incidents = db.session.scalars(sa.select(Incident).order_by(Incident.started_at)).all()
    assert len(incidents) == len(INCIDENTS) >= 8
    assert all(now - timedelta(days=365) < i.started_at <= now for i in incidents)
    assert all(i.risks and i.impact_minutes for i in incidents)
    closed = [i for i in incidents if i.status == "closed"]
    assert len(closed) >= 6 and all(i.review_date and i.review_url for i in closed)
    waiting = [i for i in incidents if i.review_date is None]
    assert waiting and all(i.resolved_at for i in waiting)
    follow_ups = db.session.scalars(
        sa.select(Mitigation).where(Mitigation.source_incident_id.isnot(None))
    ).all()
    assert {m.horizon for m in follow_ups} == {"short", "long"}
    assert any(m.status == "done" for m in follow_ups)
    assert any(m.status != "done" for m in follow_ups)
    # The owners' estimate once mitigated is below the inherent one wherever it is given.
    estimated = db.session.scalars(
        sa.select(Risk).where(Risk.residual_bad_minutes_per_year.isnot(None))
    ).all()
    assert len(estimated) >= 20
    assert all(r.residual_bad_minutes_per_year <= r.bad_minutes_per_year for r in estimated)


def check_work_on_and_off_schedule_with_slips_blocks_and_unsynced_jira(clock):
    today = clock.current.date()
    assert count(Mitigation) >= 40
    assert count(Mitigation, Mitigation.slip_count > 0) >= 5
    assert count(Mitigation, Mitigation.status == "blocked") >= 2
    open_work = Mitigation.status.in_(("planned", "in_progress", "blocked"))
    assert count(Mitigation, open_work, Mitigation.due_date < today) >= 3, "overdue"
    assert count(Mitigation, open_work, Mitigation.due_date >= today) >= 10, "on schedule"
    assert count(Mitigation, Mitigation.status == "done") >= 5
    assert count(JiraLink) >= 10
    assert count(JiraTicket, JiraTicket.synced_at.isnot(None)) == 0, "no Jira: unsynced"


def check_history_reviews_and_trends_are_real_and_dated_before_today(clock):
    now = clock.current
    reviews = db.session.scalars(sa.select(Review).order_by(Review.started_at)).all()
    assert [r.started_at.date() for r in reviews] == [
        (now - timedelta(days=14)).date(),
        (now - timedelta(days=7)).date(),
    ]
    assert all(r.finished_at is not None and r.risk_count > 20 for r in reviews)
    assert reviews[1].previous_review_id == reviews[0].id and reviews[1].change_count > 0
    assert count(ReviewDecision) == 6
    oldest = db.session.scalar(sa.select(sa.func.min(RiskEvent.at)))
    assert now - timedelta(days=80) < oldest < now - timedelta(days=60)
    assert count(RiskEvent, RiskEvent.field == "due_date") >= 5, "slips in the history"
    weeks = db.session.scalars(sa.select(WeeklySnapshot.week).where(WeeklySnapshot.scope == ""))
    assert len(set(weeks)) >= 11


def check_each_account_is_printed_once_and_its_password_signs_in(demo, auth):
    rows = re.findall(r"^(\S+@example\.com)\s+(\S+)\s+(admin|manager|viewer)\b", demo.stdout, re.M)
    assert len(rows) == 6
    email, password, _ = rows[0]
    assert auth.login(email=email, password=password).status_code == 302


def test_demo_refuses_a_database_that_has_data(runner, factory):
    factory.team("payments")
    snapshot = db_snapshot()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: The database already has data (1 team); the demo fills only an empty one "
        "(point DATABASE_URL at a new database)."
    ]
    assert db_snapshot() == snapshot
