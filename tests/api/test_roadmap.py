"""/api/v1/delivery and /api/v1/roadmap."""

from __future__ import annotations

from datetime import date

from tests.test_roadmap import work
from tracker.extensions import db
from tracker.models import JiraLink, JiraTicket


def test_delivery_gives_each_teams_figures_and_the_overall(viewer_api, factory):
    sre, search = factory.team("sre", "SRE"), factory.team("search", "Search")
    risk = factory.risk(sre)
    work(risk, sre, due_date=date(2026, 2, 1), status="done", completed_on=date(2026, 2, 11))
    work(risk, search, due_date=date(2026, 1, 9), status="done", completed_on=date(2026, 1, 9))
    work(risk, search, due_date=date(2025, 12, 1), status="done", completed_on=date(2025, 12, 1))

    body = viewer_api.get("/api/v1/delivery").get_json()

    assert body["quarter"] == "2026Q1"
    by_team = {row["team"]: row for row in body["teams"]}
    assert by_team["sre"]["late"] == 1 and by_team["sre"]["median_days_late"] == 10
    assert by_team["search"]["on_time_rate"] == 1.0
    assert body["overall"]["due"] == 2 and body["overall"]["on_time_rate"] == 0.5
    earlier = viewer_api.get("/api/v1/delivery?quarter=2025Q4&team=search").get_json()
    assert [row["team"] for row in earlier["teams"]] == ["search"]
    assert earlier["overall"]["completed"] == 1


def test_delivery_has_a_null_rate_when_nothing_was_completed(viewer_api, factory):
    sre = factory.team("sre", "SRE")
    work(factory.risk(sre), sre, due_date=date(2026, 3, 20))

    body = viewer_api.get("/api/v1/delivery?team=sre").get_json()

    assert body["teams"][0]["on_time_rate"] is None
    assert body["teams"][0]["due"] == 1


def test_delivery_names_a_bad_parameter(viewer_api):
    bad_quarter = viewer_api.get("/api/v1/delivery?quarter=2026-13")
    unknown_team = viewer_api.get("/api/v1/delivery?team=nope")

    assert bad_quarter.status_code == 422
    assert "quarter" in bad_quarter.get_json()["errors"]
    assert unknown_team.status_code == 422
    assert "nope" in unknown_team.get_json()["errors"]["team"]


def test_roadmap_lists_open_work_with_its_tickets(viewer_api, factory):
    sre = factory.team("sre", "SRE")
    risk = factory.risk(sre)
    slipped = work(
        risk, sre, due_date=date(2026, 4, 1), original_due_date=date(2026, 3, 1), slip_count=1
    )
    work(risk, sre, status="done", completed_on=date(2026, 3, 1))
    db.session.add(JiraLink(ticket=JiraTicket(key="OPS-9"), mitigation_id=slipped.id))
    db.session.commit()

    body = viewer_api.get("/api/v1/roadmap?team=sre").get_json()

    assert body["total"] == 1
    assert body["items"][0] == {
        "id": slipped.id,
        "title": slipped.title,
        "due_date": "2026-04-01",
        "original_due_date": "2026-03-01",
        "slip_count": 1,
        "status": "planned",
        "team": "sre",
        "risk": risk.key,
        "tickets": ["OPS-9"],
        "epic_progress": None,
    }


def test_roadmap_refuses_an_unknown_team_and_a_bad_page(viewer_api):
    assert viewer_api.get("/api/v1/roadmap?team=nope").status_code == 422
    assert viewer_api.get("/api/v1/roadmap?per_page=0").status_code == 422


def test_delivery_and_roadmap_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "/api/v1/delivery" in paths and "/api/v1/roadmap" in paths


def test_delivery_and_roadmap_need_a_token(client):
    assert client.get("/api/v1/delivery").status_code == 401
    assert client.get("/api/v1/roadmap").status_code == 401
