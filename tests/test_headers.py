"""Security headers on every response, and templates the Content-Security-Policy can serve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import make_test_config
from tracker import PROJECT_ROOT, create_app
from tracker.api import tokens

ALWAYS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def policy_of(response) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return dict(d.strip().split(" ", 1) for d in directives)


def assert_security_headers(response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    assert policy_of(response) == POLICY


class TestOnEveryResponse:
    def test_a_signed_in_page(self, admin_client):
        response = admin_client.get("/")
        assert response.status_code == 200
        assert_security_headers(response)

    def test_the_sign_in_page(self, client):
        assert_security_headers(client.get("/login"))

    def test_the_api(self, app, admin):
        token = tokens.create_token(admin, "headers")[1]
        response = app.test_client().get(
            "/api/v1/risks", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        assert_security_headers(response)

    def test_an_api_refusal(self, client):
        response = client.get("/api/v1/risks")
        assert response.status_code == 401
        assert_security_headers(response)

    def test_a_page_not_found(self, admin_client):
        response = admin_client.get("/no/such/page")
        assert response.status_code == 404
        assert_security_headers(response)

    def test_a_refused_page(self, viewer_client):
        response = viewer_client.get("/admin/users")
        assert response.status_code == 403
        assert_security_headers(response)

    def test_an_unexpected_error(self, database_url):
        app = create_app(make_test_config(database_url))

        @app.get("/boom")
        def boom():
            raise RuntimeError("boom")

        from tracker.security import public

        public(boom)
        response = app.test_client().get("/boom")
        assert response.status_code == 500
        assert_security_headers(response)

    def test_a_static_file(self, client):
        response = client.get("/static/css/app.css")
        assert response.status_code == 200
        assert_security_headers(response)

    def test_the_health_check(self, client):
        assert_security_headers(client.get("/healthz"))


class TestStrictTransportSecurity:
    def test_sent_over_https(self, client):
        response = client.get("/login", base_url="https://tracker.example")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    def test_not_sent_over_http(self, client):
        assert "Strict-Transport-Security" not in client.get("/login").headers

    def test_a_forwarded_proto_is_ignored_without_a_trusted_proxy(self, client):
        response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in response.headers

    @pytest.mark.app_config(PROXY_COUNT=1)
    def test_a_trusted_proxy_saying_https_gets_it(self, client):
        response = client.get(
            "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}
        )
        assert "Strict-Transport-Security" in response.headers

    @pytest.mark.app_config(PROXY_COUNT=1)
    def test_a_trusted_proxy_saying_http_does_not(self, client):
        response = client.get(
            "/login",
            base_url="https://tracker.example",
            headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.0.0.1"},
        )
        assert "Strict-Transport-Security" not in response.headers


class TestNoStore:
    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/risks",
            "/risks/export.csv",
            "/incidents/export.csv",
            "/roadmap/planning.csv",
            "/roadmap/planning.md",
            "/account/tokens",
        ],
    )
    def test_signed_in_pages_and_exports(self, admin_client, path):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"

    def test_the_page_that_shows_a_new_api_token(self, admin_client):
        response = admin_client.post("/account/tokens", data={"name": "deploy bot"})
        assert response.status_code == 200
        assert "deploy bot" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"

    def test_the_api(self, app, admin):
        token = tokens.create_token(admin, "headers")[1]
        response = app.test_client().get(
            "/api/v1/risks", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.headers["Cache-Control"] == "no-store"

    def test_static_files_may_be_cached(self, client):
        response = client.get("/static/js/app.js")
        assert "no-store" not in response.headers.get("Cache-Control", "")


# The e-mail digest is read in mail clients, which ignore linked stylesheets: it keeps its styles.
EMAIL_TEMPLATES = {"digest/email.html"}
INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def page_templates() -> list[Path]:
    root = PROJECT_ROOT / "templates"
    return sorted(
        path
        for path in root.rglob("*.html")
        if path.relative_to(root).as_posix() not in EMAIL_TEMPLATES
    )


def test_there_are_templates_to_check():
    names = {path.name for path in page_templates()}
    assert {"base.html", "home.html", "categories.html", "syncs.html"} <= names


@pytest.mark.parametrize("kind", sorted(INLINE))
def test_no_page_template_has_inline_script_or_style(kind):
    """The Content-Security-Policy blocks them: a page relying on one would break silently."""
    pattern = INLINE[kind]
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in page_templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, f"{kind} in {found}"


def test_the_dashboards_budget_bar_draws_its_shares_without_styles(admin_client, factory):
    page = admin_client.get("/").get_data(as_text=True)
    assert '<svg class="budget-bar"' in page
    assert 'class="seg unmitigated" x="0" y="0" width="' in page
