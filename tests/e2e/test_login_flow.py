"""First sign-in in a real browser, as a new user of the quick start does it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def nav_link(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]


def printed_admin(runner) -> tuple[str, str]:
    """Create the first admin as `make run` does and read the printed credentials."""
    output = runner.invoke(args=["users", "ensure-admin"]).output
    email = re.search(r"email:\s+(\S+)", output).group(1)
    password = re.search(r"password:\s+(\S+)", output).group(1)
    return email, password


def test_printed_admin_signs_in_sees_the_dashboard_and_signs_out(page, runner):
    email, password = printed_admin(runner)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    sign_in(page, email, password)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(nav_link(page, "Users")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_the_error_and_keeps_the_email(page, runner):
    email, _ = printed_admin(runner)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Email")).to_have_value(email)


def test_viewer_sees_no_admin_navigation(signed_in_page):
    page = signed_in_page("viewer")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(nav_link(page, "Dashboard")).to_be_visible()
    expect(nav_link(page, "Users")).to_have_count(0)


def test_navigation_folds_into_a_menu_at_phone_width(signed_in_page):
    page = signed_in_page("admin")
    page.set_viewport_size({"width": 390, "height": 800})
    users_link = nav_link(page, "Users")
    expect(users_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(users_link).to_be_visible()
