"""A small register with something on every page: teams, people of each role, risks in
several statuses, mitigations (one blocked, one overdue), a Jira link with drift, a finished
and an open weekly review, a sync run and an API token. Page-wide tests (ids, layout,
accessibility) load every page over it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.factories import Factory
from tracker.api import tokens
from tracker.extensions import db
from tracker.jira import links as jira_links
from tracker.mitigations import services as mitigation_services
from tracker.models import DriftFlag, Mitigation, Review, Risk, SyncRun, Team, User
from tracker.reviews import services as review_services
from tracker.risks import services as risk_services

LONG_TITLE = (
    "Primary PostgreSQL cluster for payments fails over slowly when the zone loses power, "
    "and the connection pools of the checkout services do not reconnect by themselves"
)


@dataclass
class Register:
    admin: User
    manager: User
    viewer: User
    platform: Team
    payments: Team
    risks: list[Risk]
    blocked: Mitigation
    overdue: Mitigation
    finished_review: Review
    open_review: Review
    sync_run: SyncRun


def populate(factory: Factory, clock) -> Register:
    """Build the register; `clock` is the tests' FakeClock (moved forward on the way)."""
    platform = factory.team("platform", "Platform")
    payments = factory.team("payments", "Payments")
    admin = factory.user("admin@example.com", "admin", "Ada Admin", teams=[platform])
    manager = factory.user("manager@example.com", "manager", "Max Manager", teams=[payments])
    viewer = factory.user("viewer@example.com", "viewer", "Vic Viewer")
    today = clock.current.date()
    risks = [
        factory.risk(
            platform,
            admin,
            title=LONG_TITLE,
            likelihood=4,
            impact=5,
            service="postgres-payments",
            tags="aws, single-az, database",
            ettd_minutes=10,
            ettr_minutes=50,
            users_impacted=0.4,
            ettf_days=90,
        ),
        factory.risk(payments, manager, title="Card vault has one region", likelihood=3, impact=4),
        factory.risk(payments, None, title="Webhook queue has no dead-letter queue"),
        factory.risk(platform, admin, title="DNS provider outage", likelihood=2, impact=5),
    ]
    blocked = mitigation_services.add_mitigation(
        risks[0],
        {"title": "Automate failover", "team": "platform", "due_date": today + timedelta(20)},
        admin,
    )
    mitigation_services.update_mitigation(
        blocked,
        {"status": "blocked"},
        admin,
        expected_version=None,
        note="Waiting for the network team's new subnets",
    )
    overdue = mitigation_services.add_mitigation(
        risks[1],
        {
            "title": "Replicate the vault to a second region",
            "team": "payments",
            "owner": manager.email,
            "due_date": today + timedelta(3),
        },
        manager,
    )
    mitigation_services.update_mitigation(
        overdue, {"status": "in_progress"}, manager, expected_version=None
    )
    link = jira_links.add_link(overdue, "PAY-12", manager)
    db.session.add(
        DriftFlag(risk=risks[1], mitigation=overdue, ticket_key="PAY-12", kind="ticket_unassigned")
    )
    link.ticket.status, link.ticket.status_category, link.ticket.state = (
        "In Progress",
        "indeterminate",
        "in_progress",
    )
    link.ticket.synced_at = clock.current
    sync_run = SyncRun(
        started_at=clock.current,
        finished_at=clock.current + timedelta(seconds=4),
        status="succeeded",
        tickets_total=1,
        tickets_read=1,
        mitigations_changed=1,
    )
    db.session.add(sync_run)
    db.session.commit()
    tokens.create_token(admin, "Reporting script")
    finished = review_services.start_review(admin)
    review_services.record_decision(
        finished, admin, risk_key=risks[0].key, kind="escalate", note="Needs a budget decision"
    )
    review_services.finish_review(finished, admin, "Failover is the top item.")
    clock.advance(days=7)
    risk_services.change_status(
        risks[3], "accepted", admin, approver=admin, expires_on=today + timedelta(90)
    )
    opened = review_services.start_review(admin)
    clock.advance(days=1)
    return Register(
        admin,
        manager,
        viewer,
        platform,
        payments,
        risks,
        blocked,
        overdue,
        finished,
        opened,
        sync_run,
    )
