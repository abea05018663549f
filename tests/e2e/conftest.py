"""Browser fixtures: the app on a free port, and headless Chromium driven by Playwright.

Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH); Playwright never downloads a
browser. Without Chromium the browser tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.helpers import serving

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and the closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) else shutil.which("chromium")


def pytest_collection_modifyitems(items):
    if chromium_path():
        return
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server_url(app) -> Iterator[str]:
    """The test's app served over HTTP on 127.0.0.1 and a free port, for the browser."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(base_url=server_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the real form and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.fixture
def signed_in_page(page, factory) -> Callable:
    """signed_in_page("manager") -> a page signed in as a new user with that role."""

    def open_as(role: str, **user_fields):
        user = factory.user(role=role, **user_fields)
        sign_in(page, user.email)
        return page

    return open_as
