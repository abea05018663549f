"""A sync that changes only what Jira owns (the cached tickets, drift flags) leaves the versions
people's edit forms and If-Match hold alone: their saves never fail because the sync ran."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import new_mitigation
from tests.test_jira_faults import link_tickets, sync
from tracker.extensions import db
from tracker.mitigations import services as mitigation_services
from tracker.risks import services as risk_services


def test_a_sync_of_jira_only_changes_leaves_versions_and_saves_alone(app, jira, factory, clock):
    risk = factory.risk(team=factory.team("sre", "SRE"), title="Primary database in one zone")
    mitigation = new_mitigation(risk, clock, follow=False)
    link_tickets(jira, mitigation, "OPS-1", assignee="Ana Ops")
    link_tickets(jira, risk, "OPS-2")
    assert sync(app).status == "succeeded"
    db.session.expire_all()
    versions = (risk.version, mitigation.version)

    later = (mitigation.due_date + timedelta(days=30)).isoformat()
    jira.update_ticket(
        "OPS-1",
        summary="Renamed",
        assignee=None,
        duedate=later,
        status_name="Done",
        status_category="done",
        resolution="Done",
    )
    jira.delete_ticket("OPS-2")
    run = sync(app)

    assert run.status == "succeeded" and run.tickets_changed == 2
    db.session.expire_all()
    assert (risk.version, mitigation.version) == versions
    mitigation_services.update_mitigation(
        mitigation, {"title": "Standby in a second zone"}, None, expected_version=versions[1]
    )
    risk_services.update_risk(risk, {"service": "orders"}, None, expected_version=versions[0])
