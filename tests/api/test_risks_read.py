"""GET /api/v1/risks (filters, sorts, pages) and GET /api/v1/risks/{key}."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import assert_problem
from tests.helpers import counting_queries, new_mitigation
from tracker.extensions import db
from tracker.jira.links import add_link
from tracker.mitigations.services import add_mitigation
from tracker.models import DriftFlag
from tracker.risks import services as risk_services

RISK_FIELDS = {
    "key",
    "title",
    "description",
    "category",
    "service",
    "team",
    "owner",
    "likelihood",
    "impact",
    "score",
    "band",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "treatment",
    "status",
    "next_review",
    "tags",
    "ettd_minutes",
    "ettr_minutes",
    "users_impacted",
    "ettf_days",
    "bad_minutes_per_year",
    "residual_bad_minutes_per_year",
    "budget_share",
    "incidents_365d",
    "actual_bad_minutes_365d",
    "version",
    "created_at",
    "updated_at",
}


def keys(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["key"] for item in response.get_json()["items"]]


# The list


def test_the_list_is_a_page_envelope_of_risks(viewer_api, factory, payments):
    risk = factory.risk(team=payments, title="Primary database has no failover")

    body = viewer_api.get("/api/v1/risks").get_json()

    assert body["page"] == 1
    assert body["per_page"] == 50
    assert body["total"] == 1
    [item] = body["items"]
    assert set(item) == RISK_FIELDS
    assert item["key"] == risk.key
    assert item["title"] == "Primary database has no failover"
    assert item["team"] == "payments"
    assert item["score"] == 9
    assert item["band"] == "medium"
    assert item["next_review"] == "2026-04-01"
    assert item["created_at"] == "2026-03-02T09:00:00Z"


def test_quantified_risks_show_bad_minutes_and_budget_share(viewer_api, factory, payments):
    factory.risk(
        team=payments, ettd_minutes=10, ettr_minutes=50, users_impacted=0.5, ettf_days=365.25
    )
    [item] = viewer_api.get("/api/v1/risks").get_json()["items"]
    assert item["bad_minutes_per_year"] == pytest.approx(30.0)
    assert item["budget_share"] == pytest.approx(30.0 / 1051.92, rel=1e-4)


def test_archived_risks_are_left_out(viewer_api, factory, admin, payments):
    kept = factory.risk(team=payments)
    risk_services.archive(factory.risk(team=payments), admin)
    assert keys(viewer_api.get("/api/v1/risks")) == [kept.key]


def test_pages_split_the_register(viewer_api, factory, payments):
    risks = [factory.risk(team=payments, likelihood=n, impact=5) for n in (5, 4, 3, 2, 1)]

    first = viewer_api.get("/api/v1/risks?per_page=2").get_json()
    third = viewer_api.get("/api/v1/risks?per_page=2&page=3").get_json()

    assert [item["key"] for item in first["items"]] == [risks[0].key, risks[1].key]
    assert (first["total"], first["per_page"], first["page"]) == (5, 2, 1)
    assert [item["key"] for item in third["items"]] == [risks[4].key]


def test_a_page_past_the_end_is_empty(viewer_api, factory, payments):
    factory.risk(team=payments)
    body = viewer_api.get("/api/v1/risks?page=7").get_json()
    assert (body["items"], body["page"], body["total"]) == ([], 7, 1)


def test_per_page_may_be_up_to_200(viewer_api):
    assert viewer_api.get("/api/v1/risks?per_page=200").get_json()["per_page"] == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=201", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("status=pending", "status"),
        ("band=severe", "band"),
        ("sort=colour", "sort"),
        ("sort=-priority", "sort"),
    ],
)
def test_bad_query_parameters_are_422_naming_them(viewer_api, query, field):
    body = assert_problem(viewer_api.get(f"/api/v1/risks?{query}"), 422)
    assert set(body["errors"]) == {field}


def test_the_list_takes_a_constant_number_of_queries(viewer_api, factory, payments, search):
    owner = factory.user(role="manager", teams=[payments])

    def queries_for(per_page: int) -> int:
        viewer_api.get("/api/v1/risks")  # the token's last use is recorded once; not counted
        with counting_queries() as statements:
            response = viewer_api.get(f"/api/v1/risks?per_page={per_page}")
        assert len(response.get_json()["items"]) == per_page
        return len(statements)

    for n in range(12):
        factory.risk(team=payments if n % 2 else search, owner=owner, tags=[f"t{n}", "shared"])
    assert queries_for(2) == queries_for(12)


# Filters


def test_filter_by_team(viewer_api, factory, payments, search):
    mine = factory.risk(team=payments)
    factory.risk(team=search)
    assert keys(viewer_api.get("/api/v1/risks?team=payments")) == [mine.key]


def test_filter_by_status(viewer_api, factory, payments):
    factory.risk(team=payments)
    closing = factory.risk(team=payments)
    risk_services.change_status(closing, "closed", None, reason="Moved off the old cluster.")
    assert keys(viewer_api.get("/api/v1/risks?status=closed")) == [closing.key]


@pytest.mark.parametrize(
    ("band", "expected"), [("low", 0), ("medium", 1), ("high", 2), ("critical", 3)]
)
def test_filter_by_band(viewer_api, factory, payments, band, expected):
    risks = [
        factory.risk(team=payments, likelihood=likelihood, impact=impact)
        for likelihood, impact in ((1, 4), (1, 5), (2, 5), (3, 5))
    ]
    assert keys(viewer_api.get(f"/api/v1/risks?band={band}")) == [risks[expected].key]


def test_filter_by_category(viewer_api, factory, payments):
    factory.risk(team=payments)
    capacity = factory.risk(team=payments, category="capacity")
    assert keys(viewer_api.get("/api/v1/risks?category=capacity")) == [capacity.key]


def test_filter_by_owner_email(viewer_api, factory, payments):
    owner = factory.user(email="owner@example.com", role="manager", teams=[payments])
    owned = factory.risk(team=payments, owner=owner)
    factory.risk(team=payments)
    assert keys(viewer_api.get("/api/v1/risks?owner=owner@example.com")) == [owned.key]


def test_filter_by_tag(viewer_api, factory, payments):
    tagged = factory.risk(team=payments, tags=["postgres"])
    factory.risk(team=payments, tags=["redis"])
    assert keys(viewer_api.get("/api/v1/risks?tag=postgres")) == [tagged.key]


@pytest.mark.parametrize("q", ["failover", "FAILOVER"])
def test_filter_by_text(viewer_api, factory, payments, q):
    found = factory.risk(team=payments, title="Database has no failover")
    factory.risk(team=payments, title="Cache stampede")
    assert keys(viewer_api.get(f"/api/v1/risks?q={q}")) == [found.key]


def test_filter_by_key(viewer_api, factory, payments):
    factory.risk(team=payments)
    second = factory.risk(team=payments)
    assert keys(viewer_api.get(f"/api/v1/risks?q={second.key}")) == [second.key]


# Sorts


@pytest.fixture
def three_risks(factory, payments, clock):
    """Made a minute apart: A (score 4, residual 1), B (score 20, residual 20), C (score 9,
    residual 4), with bad minutes A 100, B none, C 10 and reviews A last, C first."""
    a = factory.risk(
        team=payments,
        likelihood=2,
        impact=2,
        residual_likelihood=1,
        residual_impact=1,
        next_review=date(2026, 6, 1),
        ettd_minutes=100,
        ettr_minutes=0,
        users_impacted=1,
        ettf_days=365.25,
    )
    clock.advance(minutes=1)
    b = factory.risk(team=payments, likelihood=4, impact=5, next_review=date(2026, 5, 1))
    clock.advance(minutes=1)
    c = factory.risk(
        team=payments,
        likelihood=3,
        impact=3,
        residual_likelihood=2,
        residual_impact=2,
        next_review=date(2026, 4, 1),
        ettd_minutes=10,
        ettr_minutes=0,
        users_impacted=1,
        ettf_days=365.25,
    )
    return {"A": a.key, "B": b.key, "C": c.key}


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", "BCA"),
        ("score", "ACB"),
        ("-score", "BCA"),
        ("residual_score", "ACB"),
        # B's residual is not assessed: last either way.
        ("-residual_score", "CAB"),
        ("bad_minutes_per_year", "CAB"),
        ("-bad_minutes_per_year", "ACB"),
        ("next_review", "CBA"),
        ("-next_review", "ABC"),
        ("updated_at", "ABC"),
        ("-updated_at", "CBA"),
        ("key", "ABC"),
        ("-key", "CBA"),
        ("title", "ABC"),
        ("-title", "CBA"),
        # One team and one status: ties go to the newest key.
        ("team", "CBA"),
        ("status", "CBA"),
        ("mitigations", "CBA"),
        ("priority", "BCA"),
    ],
)
def test_sorts(viewer_api, three_risks, sort, order):
    query = f"?sort={sort}" if sort else ""
    assert keys(viewer_api.get(f"/api/v1/risks{query}")) == [three_risks[x] for x in order]


# One risk


def test_one_risk_with_its_mitigations_links_and_etag(viewer_api, factory, payments, app):
    app.config["JIRA_URL"] = "https://jira.example.com"
    owner = factory.user(email="owner@example.com", role="manager", teams=[payments])
    risk = factory.risk(team=payments, owner=owner, tags=["postgres"])
    mitigation = add_mitigation(
        risk, {"title": "Add a replica", "team": "payments", "due_date": "2026-04-01"}, None
    )
    add_link(risk, "OPS-1", None)
    add_link(mitigation, "OPS-2", None)

    response = viewer_api.get(f"/api/v1/risks/{risk.key.lower()}")

    assert response.status_code == 200
    assert response.headers["ETag"] == f'W/"{risk.version}"'
    body = response.get_json()
    assert set(body) == RISK_FIELDS | {"mitigations", "jira_links", "drift"}
    assert body["owner"] == "owner@example.com"
    assert body["tags"] == ["postgres"]
    assert [link["key"] for link in body["jira_links"]] == ["OPS-1"]
    assert body["jira_links"][0]["url"] == "https://jira.example.com/browse/OPS-1"
    [item] = body["mitigations"]
    assert item["id"] == mitigation.id
    assert item["risk"] == risk.key
    assert item["due_date"] == "2026-04-01"
    assert [link["key"] for link in item["jira_links"]] == ["OPS-2"]


def test_an_archived_risk_can_still_be_read(viewer_api, factory, admin, payments):
    risk = factory.risk(team=payments)
    risk_services.archive(risk, admin)
    assert viewer_api.get(f"/api/v1/risks/{risk.key}").status_code == 200


@pytest.mark.parametrize("key", ["RISK-99", "nonsense", "RISK-0"])
def test_an_unknown_key_is_404(viewer_api, key):
    assert_problem(viewer_api.get(f"/api/v1/risks/{key}"), 404)


def test_a_risk_lists_its_drift_with_the_values_that_disagree(admin_api, factory, payments, clock):
    risk = factory.risk(team=payments)
    mitigation = new_mitigation(risk, clock, team="payments", follow=False)
    db.session.add(
        DriftFlag(
            risk_id=risk.id,
            mitigation_id=mitigation.id,
            kind="ticket_due_later",
            ticket_key="OPS-1",
            detail="ticket due 2027-01-15, mitigation due 2026-11-20",
        )
    )
    db.session.commit()

    [flag] = admin_api.get(f"/api/v1/risks/{risk.key}").get_json()["drift"]

    assert flag["kind"] == "ticket_due_later"
    assert (flag["mitigation"], flag["ticket"]) == (mitigation.id, "OPS-1")
    assert flag["detail"] == "ticket due 2027-01-15, mitigation due 2026-11-20"
