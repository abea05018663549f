"""A manager records an incident, links the risk it materialised and adds a follow-up, and the
dashboard's error budget and attention lists follow — in a real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tracker.incidents import services as incidents

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


@pytest.fixture
def unlikely_risk(factory, clock):
    """Payments' risk rated unlikely, which already materialised once this year."""
    payments = factory.team("payments", "Payments")
    risk = factory.risk(team=payments, title="Card vault in one zone", likelihood=1)
    start = clock.current - timedelta(days=20)
    earlier = incidents.create_incident(
        {
            "title": "Vault unreachable",
            "severity": "sev3",
            "team": "payments",
            "started_at": start.isoformat(),
            "resolved_at": (start + timedelta(minutes=10)).isoformat(),
            "impact_minutes": "5",
        },
        None,
    )
    incidents.link_risk(earlier, risk, None)
    return payments, risk


def attention_list(page, title: str):
    return page.locator(".attention").filter(has=page.get_by_role("heading", name=title))


def test_incident_to_follow_up_to_dashboard(signed_in_page, unlikely_risk):
    payments, risk = unlikely_risk
    page = signed_in_page("manager", teams=[payments])
    spent = page.locator(".spent-budget")
    expect(spent.get_by_role("row", name="28 days")).to_contain_text("5.0")
    expect(page.get_by_text("Error budget exhausted")).to_have_count(0)
    expect(attention_list(page, "Estimates that look too low").locator(".count")).to_have_text("0")

    # A two-hour outage yesterday that cost 90 minutes: more than the 28 days allow.
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Record incident").click()
    page.get_by_label("Title").fill("Checkout down in eu-west")
    page.get_by_label("Owning team").select_option("payments")
    page.get_by_label("Started").fill("2026-03-01T08:00")
    page.get_by_label("Resolved").fill("2026-03-01T10:00")
    page.get_by_label("Customer-impact minutes").fill("90")
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_role("heading", name="Checkout down in eu-west")).to_be_visible()
    incident_url = page.url

    page.goto("/")
    expect(page.get_by_text("Error budget exhausted.")).to_be_visible()
    expect(spent.get_by_role("row", name="28 days")).to_contain_text("95.0")
    big = attention_list(page, "Big incidents without a follow-up")
    expect(big).to_contain_text("Checkout down in eu-west")

    # It materialised the unlikely risk a second time this year, and gets a follow-up.
    page.goto(incident_url)
    page.get_by_label("Risk key").fill(risk.key)
    page.get_by_role("button", name="Link risk").click()
    page.get_by_role("link", name="Add follow-up").click()
    page.get_by_label("Title").fill("Second vault replica")
    page.get_by_label("Due date").fill("2026-04-15")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_text("Second vault replica")).to_be_visible()

    page.goto("/")
    expect(
        attention_list(page, "Big incidents without a follow-up").locator(".count")
    ).to_have_text("0")
    too_low = attention_list(page, "Estimates that look too low")
    expect(too_low.locator(".count")).to_have_text("1")
    expect(too_low).to_contain_text(risk.key)
    expect(too_low).to_contain_text("2 incidents, 95 bad min in 365 days")
