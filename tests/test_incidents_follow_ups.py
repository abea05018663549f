"""An incident's follow-ups: mitigations of a linked risk whose source is the incident, with a
horizon. They behave like every mitigation (due dates, slips, overdue, My teams).

The clock starts at 2026-03-02 09:00 UTC; the manager is in Payments.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.test_mitigations import due_flag, page_of, row_of
from tracker.incidents import services as incident_services
from tracker.mitigations import services
from tracker.risks import history as risk_history
from tracker.validation import ValidationError

TODAY = date(2026, 3, 2)


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database in one zone")


@pytest.fixture
def incident(payments, risk, clock, manager):
    """INC-1, an hour-long outage of Payments two hours ago that materialised `risk`."""
    start = clock.current - timedelta(hours=2)
    incident = incident_services.create_incident(
        {
            "title": "Database failover took an hour",
            "severity": "sev1",
            "team": payments.slug,
            "started_at": start,
            "resolved_at": start + timedelta(hours=1),
            "impact_minutes": 60,
        },
        manager,
    )
    incident_services.link_risk(incident, risk, manager)
    return incident


def follow_up(risk, incident, title="Automate failover", due=TODAY, **fields):
    raw = {"title": title, "team": "payments", "due_date": due, **fields}
    raw.setdefault("source_incident", incident.key if incident else None)
    raw.setdefault("horizon", "short")
    return services.add_mitigation(risk, raw, None)


def test_a_follow_up_keeps_its_source_incident_and_horizon(risk, incident):
    mitigation = follow_up(risk, incident, horizon="long")
    assert (mitigation.source_incident, mitigation.horizon) == (incident, "long")
    assert incident.follow_ups == [mitigation]


def test_a_follow_up_needs_a_horizon(risk, incident):
    with pytest.raises(ValidationError) as caught:
        follow_up(risk, incident, horizon="")
    assert "action item (short) or a strategic change (long)" in caught.value.errors["horizon"]


def test_a_follow_up_belongs_to_a_risk_the_incident_materialised(factory, incident):
    other = factory.risk(title="Unrelated")
    with pytest.raises(ValidationError) as caught:
        follow_up(other, incident)
    assert caught.value.errors == {
        "source_incident": f"INC-1 is not linked to {other.key}; "
        "link the risk on the incident first."
    }


def test_an_unknown_source_incident_is_named(risk, incident):
    with pytest.raises(ValidationError) as caught:
        follow_up(risk, incident, source_incident="INC-99")
    assert "No incident has the key 'INC-99'" in caught.value.errors["source_incident"]


def test_an_unknown_horizon_is_refused(risk, incident):
    with pytest.raises(ValidationError) as caught:
        follow_up(risk, incident, horizon="medium")
    assert "short (an action item) or long" in caught.value.errors["horizon"]


def test_a_horizon_without_a_source_incident_is_refused(risk):
    with pytest.raises(ValidationError) as caught:
        follow_up(risk, None, horizon="short")
    assert set(caught.value.errors) == {"horizon"}


def test_clearing_the_source_clears_the_horizon_and_is_recorded(risk, incident):
    mitigation = follow_up(risk, incident)
    services.update_mitigation(
        mitigation, {"source_incident": ""}, None, expected_version=mitigation.version
    )
    assert (mitigation.source_incident, mitigation.horizon) == (None, None)
    changes = {(c.field, c.old, c.new) for c in risk_history.timeline(risk)}
    assert {("source_incident", "INC-1", None), ("horizon", "short", None)} <= changes


def test_a_risk_with_follow_ups_of_the_incident_stays_linked(risk, incident, manager):
    mitigation = follow_up(risk, incident)
    with pytest.raises(ValidationError) as caught:
        incident_services.unlink_risk(incident, risk, manager)
    assert f"M-{mitigation.id}" in caught.value.errors["key"]
    assert incident.risks == [risk]


def test_a_follow_up_slips_like_any_mitigation(risk, incident):
    mitigation = follow_up(risk, incident, due=TODAY + timedelta(days=3))
    services.update_mitigation(
        mitigation,
        {"due_date": TODAY + timedelta(days=10)},
        None,
        expected_version=mitigation.version,
        reason="Waiting for the vendor",
    )
    assert (mitigation.slip_count, mitigation.slip_days) == (1, 7)


def test_an_overdue_follow_up_shows_on_my_teams_as_overdue(manager_client, risk, incident):
    mitigation = follow_up(risk, incident, due=TODAY - timedelta(days=1))
    for url in ("/my-teams", f"/risks/{risk.key}"):
        assert due_flag(row_of(page_of(manager_client, url), mitigation)) == "Overdue", url


def test_the_jira_sync_moves_a_follow_up_like_any_mitigation(app, jira, risk, incident):
    from tracker.jira import links
    from tracker.jira.settings import JiraSettings
    from tracker.jira.sync import run_sync

    mitigation = follow_up(risk, incident, horizon="long")
    jira.add_ticket("OPS-7", status_name="Done", status_category="done", resolution="Done")
    links.add_link(mitigation, "OPS-7", None)
    run = run_sync(JiraSettings.from_config(app.config), full=True)
    assert run.status == "succeeded", run.error
    assert (mitigation.status, mitigation.completed_on) == ("done", TODAY)
    assert (mitigation.source_incident, mitigation.horizon) == (incident, "long")
