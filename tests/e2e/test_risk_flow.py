"""The TPM's and a manager's everyday risk work, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


@pytest.fixture
def payments(factory):
    return factory.team("payments", "Payments")


def test_manager_logs_a_quantified_risk_and_finds_it_in_the_register(signed_in_page, payments):
    page = signed_in_page("manager", teams=[payments])
    page.get_by_role("link", name="Risks", exact=True).click()
    page.get_by_role("link", name="New risk").click()
    page.get_by_label("Title").fill("Primary database in a single zone")
    page.get_by_label("Category").select_option("infrastructure")
    page.get_by_label("Likelihood", exact=True).select_option("3")
    page.get_by_label("Impact", exact=True).select_option("5")
    page.get_by_label("ETTD — minutes to detect").fill("1440")
    page.get_by_label("ETTR — minutes to repair").fill("30")
    page.get_by_label("Users impacted").fill("2%")
    page.get_by_label("ETTF — days between failures").fill("90")
    page.get_by_role("button", name="Save risk").click()

    expect(page).to_have_url(re.compile(r"/risks/RISK-1$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Primary database in a single zone"
    )
    expect(page.get_by_text("15 · critical").first).to_be_visible()
    expect(page.get_by_text("119", exact=True)).to_be_visible()

    page.get_by_role("link", name="Risk register").click()
    page.get_by_label("Band").select_option("critical")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"band=critical"))
    expect(page.get_by_role("link", name="Primary database in a single zone")).to_be_visible()


def test_a_refused_edit_keeps_what_was_typed(signed_in_page, payments):
    page = signed_in_page("admin")
    page.goto("/risks/new")
    page.get_by_label("Title").fill("Queue backs up at peak")
    page.get_by_label("Users impacted").fill("150%")
    page.get_by_role("button", name="Save risk").click()
    expect(
        page.get_by_text("Give all four of ETTD, ETTR, users impacted and ETTF").first
    ).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Queue backs up at peak")
    expect(page.get_by_label("Users impacted")).to_have_value("150%")
