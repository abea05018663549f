"""/api/v1/incidents: list with filters and paging, record, read, change with If-Match, link
and unlink risks; follow-up fields on mitigations; the risks' 365-day record.

The clock starts at 2026-03-02 09:00 UTC; the manager is in Payments.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import assert_problem
from tests.helpers import counting_queries
from tracker.incidents import services
from tracker.mitigations.services import add_mitigation

NEW_INCIDENT = {
    "title": "Checkout returned 502s",
    "severity": "sev2",
    "team": "payments",
    "services": ["checkout", "Payments API"],
    "started_at": "2026-03-02T07:00:00Z",
    "resolved_at": "2026-03-02T08:00:00Z",
    "users_impacted": 0.25,
}


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database has no failover")


def record(team, title="Outage", started_hours_ago=2, minutes=30, **fields):
    """An hour-long incident of `team` that started `started_hours_ago` hours ago."""
    from tracker import clock

    start = clock.now() - timedelta(hours=started_hours_ago)
    raw = {
        "title": title,
        "severity": "sev3",
        "team": team.slug,
        "started_at": start,
        "resolved_at": start + timedelta(hours=1),
        "impact_minutes": minutes,
        **fields,
    }
    return services.create_incident(raw, None)


# Create and read


def test_create_answers_201_with_the_incident_its_location_and_etag(manager_api, payments):
    response = manager_api.post("/api/v1/incidents", json=NEW_INCIDENT)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == "/api/v1/incidents/INC-1"
    assert response.headers["ETag"] == 'W/"1"'
    assert body["key"] == "INC-1"
    assert body["services"] == ["checkout", "payments api"]
    assert (body["duration_minutes"], body["impact_minutes"], body["users_impacted"]) == (
        60,
        15,
        0.25,
    )
    assert (body["status"], body["risks"], body["follow_ups"]) == ("open", [], [])
    assert (body["jira_key"], body["jira_drift"]) == (None, [])
    assert body["started_at"].startswith("2026-03-02T07:00:00")
    assert manager_api.get(response.headers["Location"]).get_json() == body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"resolved_at": "2026-03-02T06:00:00Z"}, "resolved_at", "resolved before it started"),
        ({"users_impacted": 1.5}, "users_impacted", "between 0 and 1"),
        ({"users_impacted": None, "impact_minutes": 61}, "impact_minutes", "exceed"),
        ({"started_at": "2026-03-03T07:00:00Z", "resolved_at": None}, "started_at", "future"),
        ({"severity": "sev7"}, "severity", "one of sev1, sev2, sev3, sev4"),
        ({"team": "nope"}, "team", "No team has the slug 'nope'"),
        ({"review_date": "2026-03-01"}, "review_date", "before the incident started"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_changes_nothing(
    admin_api, payments, change, field, message
):
    problem = assert_problem(admin_api.post("/api/v1/incidents", json=NEW_INCIDENT | change), 422)
    assert message in problem["errors"][field]
    assert admin_api.get("/api/v1/incidents").get_json()["total"] == 0


def test_read_only_and_unknown_fields_are_refused(admin_api, payments):
    problem = assert_problem(
        admin_api.post("/api/v1/incidents", json=NEW_INCIDENT | {"key": "INC-9", "x": 1}), 422
    )
    assert problem["errors"]["key"] == "Read-only: the tracker sets it."
    assert problem["errors"]["x"].startswith("Unknown field")


def test_a_manager_records_only_for_own_teams_and_a_viewer_not_at_all(
    manager_api, viewer_api, search
):
    problem = assert_problem(
        manager_api.post("/api/v1/incidents", json=NEW_INCIDENT | {"team": "search"}), 422
    )
    assert problem["errors"] == {"team": "You can record incidents only for your own teams."}
    assert_problem(viewer_api.post("/api/v1/incidents", json=NEW_INCIDENT), 403)


def test_an_incident_read_from_jira_names_its_issue_and_drift(viewer_api, admin_api, payments):
    from tracker.extensions import db

    incident = record(payments)
    incident.jira_key, incident.jira_drift = "OPS-7", "title,severity"
    db.session.commit()
    body = viewer_api.get(f"/api/v1/incidents/{incident.key}").get_json()
    assert (body["jira_key"], body["jira_drift"]) == ("OPS-7", ["title", "severity"])
    problem = assert_problem(
        admin_api.patch(
            f"/api/v1/incidents/{incident.key}",
            json={"jira_key": "OPS-8"},
            headers={"If-Match": f'W/"{body["version"]}"'},
        ),
        422,
    )
    assert problem["errors"]["jira_key"] == "Read-only: the tracker sets it."


def test_an_unknown_incident_is_404(viewer_api):
    assert_problem(viewer_api.get("/api/v1/incidents/INC-404"), 404)
    assert_problem(viewer_api.get("/api/v1/incidents/nonsense"), 404)


# List


def test_the_list_filters_by_team_severity_status_dates_service_and_text(
    viewer_api, payments, search
):
    record(payments, "Checkout down", services=["checkout"], severity="sev1")
    record(search, "Index stale", started_hours_ago=50, services=["search"])
    old = record(payments, "Old outage", started_hours_ago=24 * 40)
    services.change_status(old, "closed", None)

    def keys(query: str) -> list[str]:
        body = viewer_api.get(f"/api/v1/incidents?{query}").get_json()
        return [item["key"] for item in body["items"]]

    assert keys("") == ["INC-1", "INC-2", "INC-3"]
    assert keys("team=search") == ["INC-2"]
    assert keys("severity=sev1") == ["INC-1"]
    assert keys("status=closed") == ["INC-3"]
    assert keys("since=2026-02-28") == ["INC-1", "INC-2"]
    assert keys("until=2026-02-28") == ["INC-2", "INC-3"]
    assert keys("service=checkout") == ["INC-1"]
    assert keys("q=stale") == ["INC-2"]
    assert keys("q=INC-3") == ["INC-3"]


def test_the_list_refuses_an_unknown_severity_or_a_bad_date(viewer_api):
    assert (
        "severity" in assert_problem(viewer_api.get("/api/v1/incidents?severity=p9"), 422)["errors"]
    )
    assert (
        "since"
        in assert_problem(viewer_api.get("/api/v1/incidents?since=yesterday"), 422)["errors"]
    )


def test_the_list_pages_in_a_constant_number_of_queries(viewer_api, payments, risk):
    def queries_for_a_page() -> int:
        with counting_queries() as statements:
            assert viewer_api.get("/api/v1/incidents?per_page=50").status_code == 200
        return len(statements)

    incident = record(payments, services=["a", "b"])
    services.link_risk(incident, risk, None)
    queries_for_a_page()  # the token's first use is recorded once
    few = queries_for_a_page()
    for n in range(8):
        more = record(payments, f"Outage {n}", services=[f"s{n}"])
        services.link_risk(more, risk, None)
    assert queries_for_a_page() == few


# Change


def test_patch_with_if_match_changes_and_records_the_reason(manager_api, payments):
    incident = record(payments)
    response = manager_api.patch(
        f"/api/v1/incidents/{incident.key}",
        json={"severity": "sev1", "status": "reviewing", "reason": "Worse than thought"},
        headers={"If-Match": 'W/"1"'},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["severity"], body["status"], body["version"]) == ("sev1", "reviewing", 2)
    assert response.headers["ETag"] == 'W/"2"'


def test_patch_needs_if_match_and_refuses_a_stale_one(manager_api, payments):
    incident = record(payments)
    url = f"/api/v1/incidents/{incident.key}"
    assert_problem(manager_api.patch(url, json={"title": "x"}), 428)
    assert_problem(manager_api.patch(url, json={"title": "x"}, headers={"If-Match": '"7"'}), 412)
    assert manager_api.get(url).get_json()["title"] == "Outage"


def test_patch_of_another_teams_incident_is_403(manager_api, search):
    incident = record(search)
    response = manager_api.patch(
        f"/api/v1/incidents/{incident.key}", json={"title": "x"}, headers={"If-Match": "*"}
    )
    assert_problem(response, 403)


# Risks


def test_linking_a_risk_answers_201_and_unlinking_204(manager_api, payments, risk):
    incident = record(payments)
    url = f"/api/v1/incidents/{incident.key}/risks"
    response = manager_api.post(url, json={"key": risk.key})
    assert response.status_code == 201
    assert response.get_json()["risks"] == [risk.key]
    problem = assert_problem(manager_api.post(url, json={"key": risk.key}), 422)
    assert "already linked" in problem["errors"]["key"]
    assert_problem(manager_api.post(url, json={"key": "RISK-999"}), 422)

    assert manager_api.delete(f"{url}/{risk.key}").status_code == 204
    assert manager_api.get(f"/api/v1/incidents/{incident.key}").get_json()["risks"] == []
    assert_problem(manager_api.delete(f"{url}/{risk.key}"), 404)


def test_a_viewer_links_nothing(viewer_api, payments, risk):
    incident = record(payments)
    url = f"/api/v1/incidents/{incident.key}/risks"
    assert_problem(viewer_api.post(url, json={"key": risk.key}), 403)


def test_a_risk_shows_its_incidents_and_actual_bad_minutes_of_365_days(viewer_api, payments, risk):
    for minutes, hours_ago in ((30, 2), (12.5, 5), (50, 24 * 366)):
        incident = record(payments, minutes=minutes, started_hours_ago=hours_ago)
        services.link_risk(incident, risk, None)
    detail = viewer_api.get(f"/api/v1/risks/{risk.key}").get_json()
    assert (detail["incidents_365d"], detail["actual_bad_minutes_365d"]) == (2, 42.5)
    [listed] = viewer_api.get("/api/v1/risks").get_json()["items"]
    assert (listed["incidents_365d"], listed["actual_bad_minutes_365d"]) == (2, 42.5)


# Follow-ups


def test_a_mitigation_takes_a_source_incident_and_horizon_on_create_and_patch(
    manager_api, payments, risk
):
    incident = record(payments)
    services.link_risk(incident, risk, None)
    response = manager_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={
            "title": "Automate failover",
            "team": "payments",
            "due_date": "2026-03-20",
            "source_incident": incident.key,
            "horizon": "short",
        },
    )
    assert response.status_code == 201, response.get_json()
    mitigation = response.get_json()
    assert (mitigation["source_incident"], mitigation["horizon"]) == ("INC-1", "short")
    assert manager_api.get(f"/api/v1/incidents/{incident.key}").get_json()["follow_ups"] == [
        mitigation["id"]
    ]

    url = f"/api/v1/mitigations/{mitigation['id']}"
    changed = manager_api.patch(url, json={"horizon": "long"}, headers={"If-Match": "*"})
    assert changed.get_json()["horizon"] == "long"
    problem = assert_problem(
        manager_api.patch(url, json={"horizon": "medium"}, headers={"If-Match": "*"}), 422
    )
    assert "short (an action item) or long" in problem["errors"]["horizon"]
    cleared = manager_api.patch(url, json={"source_incident": None}, headers={"If-Match": "*"})
    assert (cleared.get_json()["source_incident"], cleared.get_json()["horizon"]) == (None, None)


def test_a_follow_up_of_an_incident_not_linked_to_the_risk_is_refused(manager_api, payments, risk):
    incident = record(payments)
    response = manager_api.post(
        f"/api/v1/risks/{risk.key}/mitigations",
        json={
            "title": "Automate failover",
            "team": "payments",
            "due_date": "2026-03-20",
            "source_incident": incident.key,
            "horizon": "long",
        },
    )
    problem = assert_problem(response, 422)
    assert "is not linked to" in problem["errors"]["source_incident"]


def test_unlinking_a_risk_with_follow_ups_is_refused(manager_api, payments, risk):
    incident = record(payments)
    services.link_risk(incident, risk, None)
    add_mitigation(
        risk,
        {
            "title": "Automate failover",
            "team": "payments",
            "due_date": "2026-03-20",
            "source_incident": incident.key,
            "horizon": "short",
        },
        None,
    )
    response = manager_api.delete(f"/api/v1/incidents/{incident.key}/risks/{risk.key}")
    assert "clear their source incident first" in assert_problem(response, 422)["errors"]["key"]
