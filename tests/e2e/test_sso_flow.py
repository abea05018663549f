"""Single sign-on in a real browser: from the sign-in page through the provider and back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


def test_sign_in_through_the_provider_lands_on_the_dashboard_and_signs_out_of_both(
    page, sso, factory
):
    factory.team("payments", "Payments")
    sso.set_user(
        "00u-ada",
        email="ada@example.com",
        email_verified=True,
        name="Ada Lovelace",
        groups=["eng-managers", "avail-team-payments"],
    )

    page.goto("/risks")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Sign in with Acme SSO").click()

    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Subject").fill("00u-ada")
    page.get_by_role("button", name="Approve").click()

    expect(page).to_have_url(re.compile(r"/risks$"))
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ada Lovelace")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("manager")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert len(sso.end_session_requests) == 1
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_cancelling_at_the_provider_shows_a_page_to_start_again(page, sso):
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Acme SSO").click()
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("heading", name="Sign-in cancelled")).to_be_visible()
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
