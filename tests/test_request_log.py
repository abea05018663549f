"""One structured log line per request, the request id in a header and on error pages, and no
secret in the log."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import make_test_config
from tests.factories import DEFAULT_PASSWORD
from tracker import ConfigurationError, create_app
from tracker.api import tokens

FIELDS = {"request_id", "user_id", "method", "route", "endpoint", "status", "duration_ms"}


@pytest.fixture
def lines(caplog):
    """The request log's lines so far, parsed."""
    caplog.set_level(logging.INFO, logger="tracker.requests")

    def read() -> list[dict]:
        return [
            json.loads(record.getMessage())
            for record in caplog.records
            if record.name == "tracker.requests"
        ]

    return read


def test_one_json_line_per_request_with_the_fields(admin_client, admin, lines):
    response = admin_client.get("/risks/RISK-1")
    [line] = lines()
    assert set(line) == FIELDS
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == admin.id
    assert line["method"] == "GET"
    assert line["route"] == "/risks/<key>"
    assert line["endpoint"] == "risks.detail"
    assert line["status"] == 404
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_a_visitor_has_no_user_id(client, lines):
    client.get("/login")
    assert lines()[0]["user_id"] is None


def test_an_address_nothing_serves_is_logged_without_a_route(client, lines):
    client.get("/nothing/here")
    [line] = lines()
    assert (line["route"], line["endpoint"], line["status"]) == (None, None, 404)


def test_every_response_has_a_request_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/static/css/app.css").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize("incoming", ["lb-1234.abc:9", "f" * 128])
def test_a_sane_incoming_request_id_is_kept(client, lines, incoming):
    response = client.get("/login", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert lines()[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "f" * 129, "has space", "<script>", "line\u2028break", "a/b", "ünï"]
)
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/login", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize(("path", "status"), [("/no/such/page", 404), ("/admin/users", 403)])
def test_error_pages_show_the_request_id(viewer_client, path, status):
    response = viewer_client.get(path, headers={"X-Request-ID": "quote-me-42"})
    assert response.status_code == status
    assert "quote-me-42" in response.get_data(as_text=True)


def test_the_500_page_shows_the_request_id_and_the_log_names_it(database_url, caplog):
    app = create_app(make_test_config(database_url))

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    boom.is_public = True
    response = app.test_client().get("/boom", headers={"X-Request-ID": "crash-7"})
    assert response.status_code == 500
    assert "crash-7" in response.get_data(as_text=True)
    assert any("crash-7" in r.getMessage() for r in caplog.records if r.name == "tracker.errors")


class TestNoSecrets:
    PASSWORD = DEFAULT_PASSWORD

    def logged(self, caplog) -> str:
        return "\n".join(
            record.getMessage() + json.dumps(getattr(record, "request", {}))
            for record in caplog.records
        )

    def test_sign_in_logs_neither_password_nor_cookie(self, client, auth, admin, caplog):
        caplog.set_level(logging.INFO)
        auth.login()
        client.get("/")
        text = self.logged(caplog)
        assert self.PASSWORD not in text
        assert client.get_cookie("session").value not in text
        assert "admin@example.com" not in text

    def test_query_strings_and_authorization_are_not_logged(self, app, admin, caplog):
        caplog.set_level(logging.INFO)
        token = tokens.create_token(admin, "script")[1]
        app.test_client().get(
            "/api/v1/risks?q=secret-in-query&token=also-secret",
            headers={"Authorization": f"Bearer {token}", "Cookie": "other=cookie-secret"},
        )
        text = self.logged(caplog)
        for secret in (token, "secret-in-query", "also-secret", "cookie-secret"):
            assert secret not in text


@pytest.mark.app_config(LOG_FORMAT="text")
def test_the_text_format_is_one_readable_line(admin_client, caplog):
    caplog.set_level(logging.INFO, logger="tracker.requests")
    response = admin_client.get("/")
    [line] = [r.getMessage() for r in caplog.records if r.name == "tracker.requests"]
    assert line.startswith(f"request_id={response.headers['X-Request-ID']} user_id=")
    assert "method=GET route=/ endpoint=dashboard.home status=200 duration_ms=" in line


def test_an_unknown_log_format_is_refused_at_start(database_url):
    with pytest.raises(ConfigurationError, match="LOG_FORMAT must be one of json, text"):
        create_app(make_test_config(database_url, LOG_FORMAT="xml"))
