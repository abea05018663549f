"""The Content-Security-Policy in a real browser: no main page trips it, and the pages' own
scripts (from static files) still run under it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import page_urls
from tests.populated import populate
from tracker.incidents import services as incident_services

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]

# Runs in every document before the page's own scripts; the policy does not apply to it.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class ViolationWatch:
    """Collects what the policy blocked: the documents' events and the console's reports."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def take(self) -> list[str]:
        """What was blocked since the last call, on the page shown now."""
        found = self.page.evaluate("window.__cspViolations.splice(0)") + self.console
        self.console = []
        return found


@pytest.fixture
def register(factory, clock):
    register = populate(factory, clock)
    start = clock.current - timedelta(hours=3)
    register.incident = incident_services.create_incident(
        {
            "title": "Checkout returned 502s",
            "severity": "sev2",
            "team": register.payments.slug,
            "started_at": start,
            "resolved_at": start + timedelta(hours=1),
            "impact_minutes": 30,
        },
        None,
    )
    return register


def all_pages(register) -> dict[str, str]:
    return page_urls(register) | {
        "roadmap": "/roadmap",
        "roadmap planning": "/roadmap/planning",
        "roadmap delivery": "/roadmap/delivery",
        "incidents": "/incidents",
        "incident": f"/incidents/{register.incident.key}",
        "new incident": "/incidents/new",
    }


def test_the_watch_sees_what_the_policy_blocks(page, register):
    """Without this the test below could pass by seeing nothing."""
    watch = ViolationWatch(page)
    page.goto("/login")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        "document.body.append(s)"
    )
    blocked = watch.take()
    assert any("style-src" in line for line in blocked), blocked
    assert any("script-src" in line for line in blocked), blocked
    assert page.evaluate("window.ran") is None, "the inline script did not run"


def test_no_main_page_trips_the_policy(page, register):
    watch = ViolationWatch(page)
    page.goto("/login")
    assert watch.take() == [], "sign-in page"
    sign_in(page, register.admin.email)
    found = {}
    for name, url in all_pages(register).items():
        response = page.goto(url)
        assert response.ok, f"{name}: {response.status}"
        assert "content-security-policy" in response.headers
        if blocked := watch.take():
            found[name] = blocked
    assert found == {}


def test_a_confirmation_dialog_still_asks_first(page, register):
    watch = ViolationWatch(page)
    sign_in(page, register.admin.email)
    risk = register.risks[0]
    page.goto(f"/risks/{risk.key}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Archive").click()
    assert asked and asked[0].startswith(f"Archive {risk.key}?")
    expect(page).to_have_url(re.compile(rf"/risks/{risk.key}$"))

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Restore to the register")).to_be_visible()
    assert watch.take() == []


def test_the_team_menu_still_filters_at_once(page, register):
    watch = ViolationWatch(page)
    sign_in(page, register.admin.email)
    page.locator("#team-filter").select_option(register.payments.slug)
    page.wait_for_url(f"**team={register.payments.slug}*")
    expect(page.get_by_role("heading", level=1)).to_contain_text(register.payments.name)
    assert watch.take() == []


def test_the_column_picker_and_the_menu_button_still_work(page, register):
    watch = ViolationWatch(page)
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, register.admin.email)
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.goto("/risks")
    expect(page.get_by_text("Columns", exact=True)).to_be_visible()
    assert watch.take() == []
