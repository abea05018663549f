"""The digest's incident part: a team's incidents of the last seven days and the open (or
overdue) follow-ups it works on, in the text and the HTML."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import counting_queries, record_incident
from tracker.digest import content, render
from tracker.incidents import services as incidents
from tracker.mitigations.services import add_mitigation, update_mitigation


@pytest.fixture
def outage(clock):
    return lambda team, days_ago, title: record_incident(
        team,
        clock.current - timedelta(days=days_ago),
        timedelta(hours=1),
        25,
        title,
        severity="sev1",
    )


def follow_up(incident, risk, title, due, team="payments"):
    if risk not in incident.risks:
        incidents.link_risk(incident, risk, None)
    return add_mitigation(
        risk,
        {
            "title": title,
            "team": team,
            "due_date": due,
            "source_incident": incident.key,
            "horizon": "long",
        },
        None,
    )


def payments_digest(payments) -> tuple[content.TeamSection, str, str]:
    [digest] = content.build(payments)
    return digest.sections[0], render.text(digest), render.html(digest)


def test_a_teams_incidents_started_or_recorded_in_the_last_seven_days(
    manager, payments, search, outage, clock
):
    clock.advance(days=-10)
    older = outage(payments, 1, "Recorded ten days ago")
    clock.advance(days=10)
    recent = outage(payments, 2, "Checkout down")
    late_entry = outage(payments, 8, "Recorded today")
    outage(search, 1, "Search slow")

    section, text, html = payments_digest(payments)

    assert [i.key for i in section.incidents.items] == [recent.key, late_entry.key]
    assert "Incidents in the last 7 days (2)" in text
    assert f"  - {recent.key} Checkout down: sev1, open, 25 impact min, started 2026-02-28" in text
    assert "Search slow" not in text and older.key not in text
    assert f"<strong>{recent.key}</strong> Checkout down" in html


def test_open_follow_ups_the_team_works_on_overdue_first(manager, factory, payments, outage):
    risk = factory.risk(team=payments)
    incident = outage(payments, 30, "Old outage")
    late = follow_up(incident, risk, "Add a replica", date(2026, 2, 20))
    follow_up(incident, risk, "Rewrite failover", date(2026, 5, 1))
    done = follow_up(incident, risk, "Runbook", date(2026, 3, 1))
    update_mitigation(done, {"status": "done"}, None, expected_version=done.version)

    section, text, html = payments_digest(payments)

    assert [m.title for m in section.follow_ups.items] == ["Add a replica", "Rewrite failover"]
    assert "Open incident follow-ups (2)" in text
    assert f"  - {late.label} Add a replica" in text
    assert f"due 2026-02-20, 10 days overdue, owner nobody — follow-up of {incident.key}" in text
    assert "Runbook" not in text
    assert "Open incident follow-ups (2)" in html and "(10 days overdue)" in html


def test_a_quiet_team_gets_no_incident_lines(manager, payments):
    section, text, _ = payments_digest(payments)

    assert section.incidents.count == 0 and section.follow_ups.count == 0
    assert "Incidents in the last" not in text and "follow-ups" not in text


def test_the_digest_costs_the_same_queries_with_few_and_many_incidents(
    manager, factory, payments, outage
):
    risk = factory.risk(team=payments)
    with counting_queries() as few:
        render.text(content.build(payments)[0])
    for n in range(12):
        incident = outage(payments, n % 6 + 1, f"Outage {n}")
        follow_up(incident, risk, f"Fix {n}", date(2026, 2, 20) + timedelta(days=n * 3))
    with counting_queries() as many:
        render.text(content.build(payments)[0])
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"
