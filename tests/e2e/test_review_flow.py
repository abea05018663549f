"""The weekly availability review, run by an admin in a real browser: start it, record a
decision, read it for one team, finish it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


@pytest.fixture
def register(factory):
    payments = factory.team("payments", "Payments")
    search = factory.team("search", "Search")
    db_risk = factory.risk(
        team=payments, title="Primary database in one zone", likelihood=4, impact=4
    )
    cache_risk = factory.risk(team=search, title="Cache stampede on deploy")
    return db_risk, cache_risk


def test_admin_runs_a_review_and_reads_it_for_one_team(signed_in_page, register, tmp_path):
    db_risk, cache_risk = register
    page = signed_in_page("admin")
    page.get_by_role("link", name="Reviews").click()
    page.get_by_role("button", name="Start a review").click()
    expect(page.get_by_role("status").first).to_contain_text("the register is frozen")
    db_row, cache_row = (
        page.locator(f"#risk-{db_risk.key}"),
        page.locator(f"#risk-{cache_risk.key}"),
    )
    expect(db_row).to_be_visible()
    expect(cache_row).to_be_visible()

    db_row.get_by_label("Decision").select_option("escalate")
    db_row.get_by_label("Note", exact=True).fill("Ask the VP for a second zone")
    db_row.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Recorded the decision on {db_risk.key}"
    )
    expect(page.locator(f"#risk-{db_risk.key}")).to_contain_text("Ask the VP for a second zone")

    page.get_by_role("combobox", name="Team").select_option("search")
    page.wait_for_url("**team=search*")
    expect(page.locator(f"#risk-{cache_risk.key}")).to_be_visible()
    expect(page.locator(f"#risk-{db_risk.key}")).to_have_count(0)
    expect(page.get_by_text("Search only").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "review-search.png"), full_page=True)

    # Finishing cannot be undone: the browser asks first; saying no leaves the review open.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_role("button", name="Record").first).to_be_visible()
    assert asked and "frozen for good" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish review").click()
    page.wait_for_url("**team=search*")
    expect(page.get_by_role("status").first).to_contain_text("Review finished")
    expect(page.get_by_role("button", name="Record")).to_have_count(0)
