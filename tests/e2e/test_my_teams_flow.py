"""An engineering manager keeps their team's mitigations current, in a real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tracker.mitigations.services import add_mitigation

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


@pytest.fixture
def late_work(factory, clock):
    payments = factory.team("payments", "Payments")
    risk = factory.risk(team=payments, title="Primary database in one zone")
    work = add_mitigation(
        risk,
        {
            "title": "Add a replica in a second zone",
            "team": "payments",
            "due_date": clock.current.date() - timedelta(days=2),
        },
        None,
    )
    return payments, work


def test_manager_moves_an_overdue_date_with_a_reason_from_my_teams(signed_in_page, late_work):
    payments, work = late_work
    page = signed_in_page("manager", teams=[payments])
    page.get_by_role("link", name="My teams").click()
    row = page.locator(f"#m-{work.id}")
    expect(row.get_by_text("Overdue")).to_be_visible()

    row.get_by_label("Due").fill("2026-04-30")
    row.get_by_role("button", name="Update").click()
    expect(row.get_by_text("Say why the due date moves")).to_be_visible()
    expect(row.get_by_label("Due")).to_have_value("2026-04-30")

    row.get_by_label("Why the date moves").fill("Waiting for the storage team")
    row.get_by_role("button", name="Update").click()
    expect(page.get_by_role("status").first).to_contain_text("Updated")
    expect(row.get_by_text("slipped 1×")).to_be_visible()
    expect(row.get_by_text("Overdue")).to_have_count(0)
