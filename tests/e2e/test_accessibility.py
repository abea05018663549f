"""axe-core (shipped by axe-playwright-python) checks each main page in Chromium; a serious or
critical violation fails the test with axe's own report of it."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in
from tests.populated import populate

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]

BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def problems(axe: Axe, page) -> list[str]:
    """Each serious or critical violation on the page: rule, impact, help and the elements."""
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def page_urls(register) -> dict[str, str]:
    risk = register.risks[0]
    return {
        "dashboard": "/",
        "register": "/risks",
        "risk page": f"/risks/{risk.key}",
        "new risk": "/risks/new",
        "edit risk": f"/risks/{risk.key}/edit",
        "import": "/risks/import",
        "mitigation": f"/mitigations/{register.overdue.id}",
        "new mitigation": f"/risks/{risk.key}/mitigations/new",
        "edit mitigation": f"/mitigations/{register.blocked.id}/edit",
        "my teams": "/my-teams",
        "reviews": "/reviews",
        "open review": f"/reviews/{register.open_review.id}",
        "finished review": f"/reviews/{register.finished_review.id}",
        "review print": f"/reviews/{register.finished_review.id}/print",
        "jira drift": "/jira/drift",
        "jira syncs": "/jira/syncs",
        "sync run": f"/jira/syncs/{register.sync_run.id}",
        "users": "/admin/users",
        "new user": "/admin/users/new",
        "edit user": f"/admin/users/{register.manager.id}",
        "teams": "/admin/teams",
        "team": f"/admin/teams/{register.platform.slug}",
        "categories": "/admin/categories",
        "api tokens": "/account/tokens",
        "password": "/account/password",
    }


def test_the_sign_in_page_has_no_serious_accessibility_problem(page, axe):
    page.goto("/login")
    assert problems(axe, page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_every_main_page_has_no_serious_accessibility_problem(page, axe, factory, clock, width):
    register = populate(factory, clock)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, register.admin.email)
    found = {}
    for name, url in page_urls(register).items():
        page.goto(url)
        if issues := problems(axe, page):
            found[name] = issues
    assert found == {}


def test_the_checker_reports_a_serious_problem(page, axe):
    """The check can fail: an image without a text alternative is a critical violation."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert any(issue.startswith("image-alt") for issue in problems(axe, page))
