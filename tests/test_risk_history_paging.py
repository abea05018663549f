"""A risk's history a page at a time, newest first, while its score chart still draws every
re-score. Pages are made three changes long here."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries
from tracker.extensions import db
from tracker.models import RiskEvent
from tracker.risks import routes
from tracker.risks import services as risk_services


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(routes, "HISTORY_PER_PAGE", 3)


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database in one zone")


def add_notes(risk, admin, clock, count: int) -> None:
    """`count` noted reviews of the risk a day apart, "Check 1" the oldest."""
    start = clock.current
    db.session.execute(
        sa.insert(RiskEvent),
        [
            {
                "risk_id": risk.id,
                "actor_id": admin.id,
                "at": start + timedelta(days=n),
                "version": risk.version,
                "field": "reviewed",
                "old_value": None,
                "new_value": None,
                "reason": f"Check {n}",
            }
            for n in range(1, count + 1)
        ],
    )
    db.session.commit()


def reasons(page: str) -> list[str]:
    history = page.split('id="history"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<div class=\"reason\">“([^”]*)”</div>", history)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_history_shows_its_newest_changes_and_pages_to_older_ones(
    admin_client, admin, risk, clock
):
    add_notes(risk, admin, clock, 5)
    first = page_of(admin_client, f"/risks/{risk.key}")
    second = page_of(admin_client, f"/risks/{risk.key}?page=2")
    assert reasons(first) == ["Check 5", "Check 4", "Check 3"]
    assert reasons(second) == ["Check 2", "Check 1"]  # and the creation, which has no reason
    assert "4–6 of 6" in second
    assert f'href="/risks/{risk.key}?page=2#history" rel="next"' in first


@pytest.mark.parametrize("asked", ["x", "-2", "99999999999"])
def test_a_bad_history_page_gives_a_page_of_it(admin_client, admin, risk, clock, asked):
    add_notes(risk, admin, clock, 5)
    shown = reasons(page_of(admin_client, f"/risks/{risk.key}?page={asked}"))
    assert shown == (
        ["Check 2", "Check 1"] if asked.startswith("9") else ["Check 5", "Check 4", "Check 3"]
    )


def test_the_score_chart_draws_rescores_that_are_on_older_pages(admin_client, admin, risk, clock):
    clock.advance(days=1)
    risk_services.update_risk(
        risk, {"likelihood": 5}, admin, expected_version=risk.version, reason="Worse than thought"
    )
    add_notes(risk, admin, clock, 5)
    page = page_of(admin_client, f"/risks/{risk.key}")
    assert "Worse than thought" not in reasons(page)
    points = re.findall(r": inherent (\d+)</title>", page)
    assert points[:2] == ["9", "15"], "created at 3 × 3, then re-scored to 5 × 3"


def test_the_page_costs_the_same_queries_for_a_short_and_a_long_history(
    admin_client, admin, risk, clock, monkeypatch
):
    monkeypatch.setattr(routes, "HISTORY_PER_PAGE", 50)
    add_notes(risk, admin, clock, 5)
    page_of(admin_client, f"/risks/{risk.key}")
    with counting_queries() as few:
        page_of(admin_client, f"/risks/{risk.key}")
    clock.advance(days=10)
    add_notes(risk, admin, clock, 80)
    with counting_queries() as many:
        page = page_of(admin_client, f"/risks/{risk.key}")
    assert len(reasons(page)) == 50
    assert len(many) == len(few)
