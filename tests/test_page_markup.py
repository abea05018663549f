"""Every HTML page, loaded with data: ids are unique and every <label for> names a control.

A repeated id sends a label (and a screen reader) to the wrong field: the risk's page once
pointed the Archive form's "Reason" label at the status form's reason.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.conftest import signed_in_client
from tests.populated import populate

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)
CONTROLS = {"input", "select", "textarea", "button", "meter", "output", "progress"}


class IdsAndLabels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.controls: set[str] = set()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
            if tag in CONTROLS and attrs.get("type") != "hidden":
                self.controls.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])


def page_urls(app, register) -> list[str]:
    """Every GET page of the app (not the API, files or exports), its arguments filled in.

    A page whose address needs an argument not known here is left out: add it to `values`.
    """
    values = {
        "key": register.risks[0].key,
        "mitigation_id": register.blocked.id,
        "review_id": register.open_review.id,
        "slug": register.platform.slug,
        "user_id": register.manager.id,
        "run_id": register.sync_run.id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
            continue
        if rule.rule.endswith((".csv", ".md")) or not set(rule.arguments) <= set(values):
            continue
        urls.append(rule.build({name: values[name] for name in rule.arguments})[1])
    return sorted(urls)


def check(html: str) -> list[str]:
    parser = IdsAndLabels()
    parser.feed(html)
    problems = [f"id {i!r} appears {n} times" for i, n in Counter(parser.ids).items() if n > 1]
    problems += [
        f"<label for={target!r}> names no control"
        for target in parser.label_targets
        if target not in parser.controls
    ]
    return problems


def test_every_page_has_unique_ids_and_labels_that_point_at_controls(app, factory, clock):
    register = populate(factory, clock)
    client = signed_in_client(app, register.admin)
    urls = page_urls(app, register)
    # Past reviews and other people's views are pages too.
    urls += [
        f"/reviews/{register.finished_review.id}",
        f"/risks/{register.risks[1].key}",
        f"/mitigations/{register.overdue.id}",
    ]
    problems, shown = {}, set()
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        # Sign-in and single sign-on addresses redirect a signed-in user; they are checked
        # signed out below.
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        shown.add(url)
        if found := check(response.get_data(as_text=True)):
            problems[url] = found
    assert {"/", "/risks", "/my-teams", "/reviews", "/jira/drift", "/admin/users"} <= shown
    assert len(shown) >= 25
    anonymous = app.test_client().get("/login")
    if found := check(anonymous.get_data(as_text=True)):
        problems["/login"] = found
    assert problems == {}


def test_the_checker_finds_a_repeated_id_and_a_dangling_label():
    html = '<input id="reason"><input id="reason"><label for="nothing">x</label>'
    assert check(html) == ["id 'reason' appears 2 times", "<label for='nothing'> names no control"]
