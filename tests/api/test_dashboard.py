"""GET /api/v1/dashboard: the same figures as the dashboard page."""

from __future__ import annotations

from datetime import timedelta

from tracker.mitigations.services import add_mitigation


def test_dashboard_ranks_open_risks_with_their_factors(viewer_api, factory, clock):
    payments = factory.team("payments", "Payments")
    top = factory.risk(
        team=payments,
        title="Database in one zone",
        likelihood=5,
        impact=4,
        ettd_minutes=30,
        ettr_minutes=300,
        users_impacted=1,
        ettf_days=365.25,
    )
    factory.risk(team=payments, title="Slow search", likelihood=1, impact=2)
    add_mitigation(
        top,
        {
            "title": "Replica",
            "team": "payments",
            "due_date": clock.current.date() - timedelta(days=1),
        },
        None,
    )
    body = viewer_api.get("/api/v1/dashboard").get_json()
    assert [r["key"] for r in body["ranking"]] == [top.key, "RISK-2"]
    first = body["ranking"][0]
    assert first["factors"][:3] == [
        "critical band, score 20",
        "330 bad min/yr (31% of the error budget)",
        "1 overdue mitigation",
    ]
    assert body["budget"]["total_bad_minutes"] == 330.0
    assert body["budget"]["too_big_to_accept"] == [top.key]
    assert body["attention"]["overdue"] == 1 and body["attention"]["no_owner"] == 2


def test_dashboard_narrows_to_a_team_and_refuses_an_unknown_one(viewer_api, factory):
    factory.risk(team=factory.team("payments", "Payments"), title="A")
    factory.risk(team=factory.team("search", "Search"), title="B")
    body = viewer_api.get("/api/v1/dashboard?team=search").get_json()
    assert [r["title"] for r in body["ranking"]] == ["B"] and body["team"] == "search"
    response = viewer_api.get("/api/v1/dashboard?team=nowhere")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_dashboard_needs_a_token(client):
    assert client.get("/api/v1/dashboard").status_code == 401
