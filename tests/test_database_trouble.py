"""When the database cannot be reached: pages and the API answer 503 saying so, the health
check says so, and once the database is back everything works again without a restart.

Runs on the test database's kind (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_config, signed_in_client
from tests.factories import Factory
from tests.tcp_proxy import TcpProxy
from tracker import create_app
from tracker.api import tokens
from tracker.auth.sessions import SESSION_KEY


def unreachable_url(database_url: str, tmp_path) -> str:
    """A URL of the same kind as the test database's that nothing answers at."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # The directory does not exist, so the file cannot be opened or created.
        return f"sqlite:///{tmp_path / 'missing' / 'tracker.db'}"
    # A port nobody listens on: the connection is refused at once.
    return url.set(port=1).update_query_dict({"connect_timeout": "2"}).render_as_string(False)


def app_at(url: str):
    return create_app(make_test_config(url))


@pytest.fixture
def lost_app(database_url, tmp_path):
    return app_at(unreachable_url(database_url, tmp_path))


def cookie_client(app):
    """A client whose cookie says it is signed in (the database would be asked to confirm)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:token"
        session[SESSION_KEY] = "a login session"
    return client


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Database unavailable" in page
    assert "cannot reach its database" in page
    assert response.headers["X-Request-ID"] in page, "the page shows the request id"
    assert "nobody" not in page and "127.0.0.1" not in page, "no connection details"


def assert_unavailable_problem(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 503
    assert "cannot reach its database" in body["detail"]


class TestUnreachable:
    def test_a_signed_in_page_is_503(self, lost_app):
        assert_unavailable_page(cookie_client(lost_app).get("/risks"))

    def test_a_form_post_is_503(self, lost_app):
        response = cookie_client(lost_app).post("/admin/teams/new", data={"slug": "sre"})
        assert_unavailable_page(response)

    def test_signing_in_is_503(self, lost_app):
        response = lost_app.test_client().post(
            "/login", data={"email": "a@example.com", "password": "whatever it is"}
        )
        assert_unavailable_page(response)

    def test_the_api_is_503_problem_json(self, lost_app):
        response = lost_app.test_client().get(
            "/api/v1/risks",
            headers={"Authorization": f"Bearer {tokens.TOKEN_PREFIX}not-checkable-now"},
        )
        assert_unavailable_problem(response)

    def test_a_missing_page_is_still_a_404_page(self, lost_app):
        """The layout asks who is signed in; without the database it is drawn for a visitor."""
        response = cookie_client(lost_app).get("/no/such/page")
        assert response.status_code == 404
        assert "Sign out" not in response.get_data(as_text=True)

    def test_the_health_check_says_the_database_is_unreachable(self, lost_app):
        response = lost_app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {
            "status": "unavailable",
            "detail": "The database is unreachable.",
        }

    def test_the_log_says_why_without_connection_details(self, lost_app, caplog):
        cookie_client(lost_app).get("/risks")
        warnings = [r.getMessage() for r in caplog.records if r.name == "tracker.errors"]
        assert any("Database unavailable on GET /risks" in w for w in warnings), warnings
        assert not any("127.0.0.1" in w or "nobody" in w for w in warnings)


def signed_in_user(app):
    """An admin of `app`'s database, a client signed in as them and an API token of theirs."""
    with app.app_context():
        user = Factory().user(email="back@example.com", role="admin")
        return signed_in_client(app, user), tokens.create_token(user, "comes back")[1]


def api_get(app, token: str):
    return app.test_client().get("/api/v1/risks", headers={"Authorization": f"Bearer {token}"})


def test_postgresql_coming_back_needs_no_restart(app, database_url):
    """The app reaches PostgreSQL through a proxy that the test cuts and restores."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database server that goes away needs PostgreSQL (TEST_DATABASE_URL)")
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).open()
    try:
        proxied = app_at(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        client, token = signed_in_user(proxied)
        assert client.get("/risks").status_code == 200
        assert api_get(proxied, token).status_code == 200

        proxy.close()
        assert_unavailable_page(client.get("/risks"))
        assert_unavailable_problem(api_get(proxied, token))
        assert proxied.test_client().get("/healthz").status_code == 503

        proxy.open()
        assert proxied.test_client().get("/healthz").status_code == 200
        assert client.get("/risks").status_code == 200, "still signed in, no restart"
        assert api_get(proxied, token).status_code == 200

        # A restart between two requests leaves only dead connections in the pool: each is
        # tested before use and replaced, so not even the first request after it fails.
        proxy.close()
        proxy.open()
        assert client.get("/risks").status_code == 200
    finally:
        proxy.close()


def test_sqlite_coming_back_needs_no_restart(app, database_url, tmp_path):
    """SQLite has no server to go away: its file is out of reach (its directory is missing),
    then put back."""
    if sa.make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the SQLite case; PostgreSQL's is test_postgresql_coming_back_needs_no_restart")
    target = tmp_path / "missing" / "tracker.db"
    lost = app_at(f"sqlite:///{target}")
    assert lost.test_client().get("/healthz").status_code == 503
    assert_unavailable_page(cookie_client(lost).get("/risks"))

    target.parent.mkdir()
    source = sqlite3.connect(sa.make_url(database_url).database)
    with sqlite3.connect(target) as copy:
        source.backup(copy)  # the migrated (empty) test database
    source.close()

    assert lost.test_client().get("/healthz").status_code == 200
    client, token = signed_in_user(lost)
    assert client.get("/risks").status_code == 200
    assert api_get(lost, token).status_code == 200
