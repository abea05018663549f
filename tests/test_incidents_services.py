"""Recording and editing incidents: validation, permissions, versions, history, risk links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker import ConfigurationError, create_app
from tracker.config import settings_from_environment
from tracker.extensions import db
from tracker.incidents import history, services
from tracker.models import Incident, IncidentEvent, IncidentService
from tracker.validation import PermissionDenied, StaleVersion, ValidationError


@pytest.fixture
def incident_raw(payments, clock):
    """An hour-long outage of checkout that ended an hour ago."""

    def raw(**fields):
        start = clock.current - timedelta(hours=2)
        return {
            "title": "Checkout down",
            "severity": "sev2",
            "team": payments.slug,
            "services": "Checkout, payments-api",
            "started_at": start.isoformat(),
            "resolved_at": (start + timedelta(hours=1)).isoformat(),
            "impact_minutes": "30",
            **fields,
        }

    return raw


def count_incidents() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Incident))


def refused(raw, actor=None) -> dict[str, str]:
    before = count_incidents()
    with pytest.raises(ValidationError) as caught:
        services.create_incident(raw, actor)
    db.session.rollback()
    assert count_incidents() == before, "a refused incident changes nothing"
    return caught.value.errors


def test_an_incident_gets_the_next_key_and_its_fields(incident_raw, manager, clock):
    incident = services.create_incident(incident_raw(), manager)
    second = services.create_incident(incident_raw(title="Search slow"), manager)
    assert (incident.key, second.key) == ("INC-1", "INC-2")
    assert incident.status == "open"
    assert incident.services == ["checkout", "payments-api"]
    assert incident.impact_minutes == 30
    assert incident.started_at == clock.current - timedelta(hours=2)
    assert incident.created_by == manager


def test_keys_are_never_reused(incident_raw, manager):
    services.create_incident(incident_raw(), manager, number=7)
    assert services.create_incident(incident_raw(), manager).key == "INC-8"


def test_a_key_given_twice_is_refused(incident_raw, manager):
    services.create_incident(incident_raw(), manager, number=7)
    with pytest.raises(ValidationError) as caught:
        services.create_incident(incident_raw(), manager, number=7)
    assert caught.value.errors == {"key": "INC-7 is taken by another incident."}
    assert count_incidents() == 1


def test_a_share_of_users_multiplies_the_duration(incident_raw, manager):
    incident = services.create_incident(
        incident_raw(impact_minutes="", users_impacted="0.25"), manager
    )
    assert incident.impact_minutes == 15
    assert incident.impact_share == 0.25


def test_times_without_an_offset_are_in_the_configured_zone(incident_raw, manager):
    incident = services.create_incident(
        incident_raw(started_at="2026-03-02T08:00", resolved_at="2026-03-02 08:45+00:00"), manager
    )
    assert incident.started_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert incident.resolved_at == datetime(2026, 3, 2, 8, 45, tzinfo=UTC)


def test_resolved_before_started_is_refused(incident_raw, clock):
    errors = refused(incident_raw(resolved_at=(clock.current - timedelta(hours=3)).isoformat()))
    assert errors["resolved_at"] == "It was resolved before it started; check both times."


def test_impact_minutes_above_the_duration_are_refused(incident_raw):
    errors = refused(incident_raw(impact_minutes="61"))
    assert "exceed the incident's duration (60 minutes)" in errors["impact_minutes"]


def test_a_share_outside_zero_to_one_is_refused(incident_raw):
    errors = refused(incident_raw(impact_minutes=None, users_impacted="1.5"))
    assert "between 0 and 1" in errors["users_impacted"]


def test_both_minutes_and_share_are_refused(incident_raw):
    errors = refused(incident_raw(users_impacted="0.5"))
    assert errors == {"users_impacted": "Give the impact minutes or the share of users, not both."}


def test_an_incident_without_any_impact_is_refused(incident_raw):
    errors = refused(incident_raw(impact_minutes=""))
    assert errors == {"impact_minutes": services.IMPACT_HINT}


def test_a_start_in_the_future_is_refused(incident_raw, clock):
    errors = refused(
        incident_raw(started_at=(clock.current + timedelta(hours=1)).isoformat(), resolved_at="")
    )
    assert "future" in errors["started_at"]


def test_an_unknown_severity_team_or_commander_is_refused(incident_raw):
    errors = refused(incident_raw(severity="sev9", team="nope", commander="who@example.com"))
    assert errors["severity"] == (
        "The severity must be one of sev1, sev2, sev3, sev4 (got 'sev9')."
    )
    assert "No team has the slug 'nope'" in errors["team"]
    assert "No user has the email 'who@example.com'" in errors["commander"]


def test_a_review_date_before_the_start_is_refused(incident_raw):
    errors = refused(incident_raw(review_date="2026-02-01"))
    assert "before the incident started" in errors["review_date"]


def test_missing_required_fields_are_named(payments):
    errors = refused({"team": payments.slug})
    assert errors == {
        "title": "Give the title.",
        "severity": "Give the severity.",
        "started_at": "Give the start.",
    }


def test_a_manager_records_incidents_only_for_own_teams(incident_raw, manager, search):
    errors = refused(incident_raw(team=search.slug), manager)
    assert errors == {"team": "You can record incidents only for your own teams."}


def test_a_viewer_records_no_incidents(incident_raw, viewer):
    with pytest.raises(PermissionDenied):
        services.create_incident(incident_raw(), viewer)


def test_an_edit_records_who_changed_what_and_why(incident_raw, manager, admin):
    incident = services.create_incident(incident_raw(), manager)
    changes = services.update_incident(
        incident,
        {"severity": "sev1", "services": "checkout"},
        admin,
        expected_version=incident.version,
        reason="Card payments failed too",
    )
    assert {name for name, _, _ in changes} == {"severity", "services"}
    latest = history.timeline(incident)[:2]
    assert {(c.field, c.old, c.new) for c in latest} == {
        ("severity", "sev2", "sev1"),
        ("services", "checkout, payments-api", "checkout"),
    }
    assert {(c.actor, c.reason) for c in latest} == {("Ada Admin", "Card payments failed too")}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentService)) == 1


def test_a_stale_edit_is_refused_with_what_changed(incident_raw, manager, admin):
    incident = services.create_incident(incident_raw(), manager)
    loaded = incident.version
    services.update_incident(incident, {"title": "Checkout 502s"}, admin, expected_version=loaded)
    with pytest.raises(StaleVersion) as stale:
        services.update_incident(incident, {"title": "Mine"}, manager, expected_version=loaded)
    assert [(c.field, c.new) for c in stale.value.changes] == [("title", "Checkout 502s")]
    db.session.refresh(incident)
    assert incident.title == "Checkout 502s"


def test_a_refused_edit_changes_nothing(incident_raw, manager, clock):
    incident = services.create_incident(incident_raw(), manager)
    version = incident.version
    with pytest.raises(ValidationError) as caught:
        services.update_incident(
            incident,
            {"title": "New title", "impact_minutes": "500"},
            manager,
            expected_version=version,
        )
    assert set(caught.value.errors) == {"impact_minutes"}
    db.session.rollback()
    db.session.refresh(incident)
    assert (incident.title, incident.version) == ("Checkout down", version)


def test_a_share_follows_later_changes_of_the_times(incident_raw, manager, clock):
    incident = services.create_incident(
        incident_raw(impact_minutes=None, users_impacted=0.5), manager
    )
    later = (incident.started_at + timedelta(minutes=100)).isoformat()
    services.update_incident(
        incident, {"resolved_at": later}, manager, expected_version=incident.version
    )
    assert incident.impact_minutes == 50


def test_shortening_an_incident_below_its_impact_is_refused(incident_raw, manager):
    incident = services.create_incident(incident_raw(impact_minutes="50"), manager)
    earlier = (incident.started_at + timedelta(minutes=40)).isoformat()
    with pytest.raises(ValidationError) as caught:
        services.update_incident(
            incident, {"resolved_at": earlier}, manager, expected_version=incident.version
        )
    assert "exceed the incident's duration (40 minutes)" in caught.value.errors["impact_minutes"]


def test_a_manager_edits_only_own_teams_incidents(incident_raw, admin, manager, search):
    incident = services.create_incident(incident_raw(team=search.slug), admin)
    with pytest.raises(PermissionDenied):
        services.update_incident(incident, {"title": "x"}, manager, expected_version=None)


def test_status_moves_open_to_reviewing_to_closed(incident_raw, manager):
    incident = services.create_incident(incident_raw(), manager)
    services.change_status(incident, "reviewing", manager)
    services.change_status(incident, "closed", manager)
    assert incident.status == "closed"
    assert [c.new for c in history.timeline(incident) if c.field == "status"] == [
        "closed",
        "reviewing",
    ]


def test_an_unresolved_incident_is_not_reviewed(incident_raw, manager):
    incident = services.create_incident(incident_raw(resolved_at=""), manager)
    with pytest.raises(ValidationError) as caught:
        services.change_status(incident, "reviewing", manager)
    assert "Give the resolution time" in caught.value.errors["status"]


def test_reopening_needs_a_reason(incident_raw, manager):
    incident = services.create_incident(incident_raw(), manager)
    services.change_status(incident, "closed", manager)
    with pytest.raises(ValidationError):
        services.change_status(incident, "open", manager)
    services.change_status(incident, "open", manager, reason="It came back")
    assert incident.status == "open"


def test_clearing_the_resolution_of_a_closed_incident_is_refused(incident_raw, manager):
    incident = services.create_incident(incident_raw(), manager)
    services.change_status(incident, "closed", manager)
    with pytest.raises(ValidationError) as caught:
        services.update_incident(incident, {"resolved_at": ""}, manager, expected_version=None)
    assert "needs its resolution time" in caught.value.errors["resolved_at"]


def test_linking_risks_is_recorded_and_bumps_the_version(incident_raw, factory, manager):
    incident = services.create_incident(incident_raw(), manager)
    risk = factory.risk(title="Single database")
    version = incident.version
    services.link_risk(incident, risk, manager)
    assert incident.risks == [risk]
    assert incident.version == version + 1
    with pytest.raises(ValidationError, match="already linked"):
        services.link_risk(incident, risk, manager)
    services.unlink_risk(incident, risk, manager)
    assert incident.risks == []
    fields = [c.field for c in history.timeline(incident)]
    assert fields[:2] == ["unlinked_risk", "linked_risk"]


def test_history_events_belong_to_their_incident(incident_raw, manager):
    first = services.create_incident(incident_raw(), manager)
    services.create_incident(incident_raw(), manager)
    assert [c.new for c in history.timeline(first)] == ["INC-1"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentEvent)) == 2


# Configuration --------------------------------------------------------------------------------


@pytest.mark.app_config(INCIDENT_SEVERITIES=["p1", "p2"])
def test_severities_are_configurable(incident_raw, manager):
    assert services.create_incident(incident_raw(severity="P2"), manager).severity == "p2"
    errors = refused(incident_raw(severity="sev2"))
    assert errors == {"severity": "The severity must be one of p1, p2 (got 'sev2')."}


def test_unusable_severities_refuse_to_start(tmp_path):
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        "SECRET_KEY": "k" * 40,
        "INCIDENT_SEVERITIES": ["sev1", "sev1"],
    }
    with pytest.raises(ConfigurationError, match="INCIDENT_SEVERITIES: a severity is listed twice"):
        create_app(config)


def test_severities_come_from_the_environment_as_a_list():
    assert settings_from_environment({"INCIDENT_SEVERITIES": "p1, p2,p3"}) == {
        "INCIDENT_SEVERITIES": ["p1", "p2", "p3"]
    }


# Risks materialised --------------------------------------------------------------------------


def test_a_risk_counts_its_incidents_and_minutes_of_the_last_365_days(
    incident_raw, factory, manager, clock
):
    from tracker.incidents.materialised import Materialised, materialised_for

    risk, other = factory.risk(), factory.risk()
    recent = services.create_incident(incident_raw(impact_minutes="30"), manager)
    also = services.create_incident(incident_raw(impact_minutes="12.5"), manager)
    start = clock.current - timedelta(days=365, minutes=1)
    old = services.create_incident(
        incident_raw(
            started_at=start.isoformat(),
            resolved_at=(start + timedelta(hours=1)).isoformat(),
            impact_minutes="60",
        ),
        manager,
    )
    for incident in (recent, also, old):
        services.link_risk(incident, risk, manager)
    assert materialised_for(risk.id, clock.current) == Materialised(2, 42.5)
    assert materialised_for(other.id, clock.current) == Materialised(0, 0.0)
