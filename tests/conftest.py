"""Fixtures: a migrated test database, the app, clients signed in per role, factories.

The database comes from TEST_DATABASE_URL (default: a temporary SQLite file). It is emptied and
migrated from scratch once per run; every test then starts with empty tables.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from tests.factories import Factory
from tracker import create_app
from tracker.extensions import db

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough"


def drop_everything(url: str) -> None:
    """Leave the database with no tables at all, whatever earlier runs left."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            metadata.drop_all(conn)
    engine.dispose()


def make_test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.db")
    )
    drop_everything(url)
    app = create_app(make_test_config(url))
    with app.app_context():
        upgrade()
        _SEED_ROWS.update(read_seed_rows())
        db.engine.dispose()
    return url


# Rows the migrations insert (default categories); restored after each test empties the tables.
_SEED_ROWS: dict[str, list[dict]] = {}


def read_seed_rows() -> dict[str, list[dict]]:
    with db.engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(table.select())]
            for table in db.metadata.sorted_tables
        }


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def app_config(request, database_url, clock) -> dict:
    """The app's settings; a test changes them with @pytest.mark.app_config(NAME=value)."""
    marker = request.node.get_closest_marker("app_config")
    return make_test_config(database_url, CLOCK=clock, **(marker.kwargs if marker else {}))


class IsolatedClient(FlaskClient):
    """Runs each request in an app context of its own, as a server does.

    Without this a request would share the test's app context, and with it `g` (where
    Flask-Login caches the user) and the database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # What the request committed is visible to the test's next attribute access.
        db.session.expire_all()
        return response


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        empty_all_tables()


def empty_all_tables() -> None:
    """Delete every row, then put back what the migrations seeded."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if _SEED_ROWS.get(table.name):
                conn.execute(table.insert(), _SEED_ROWS[table.name])
    db.engine.dispose()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's fixture of this name, which keeps one request context for the
    whole test: with it every request would share `g` with the test. The app fixture's app
    context is enough for factories and url_for-free tests."""


@pytest.fixture
def client(app):
    """Replaces pytest-flask's client, which preserves each request's context after it."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory()


@pytest.fixture
def admin(factory):
    return factory.user(email="admin@example.com", role="admin", name="Ada Admin")


@pytest.fixture
def manager(factory):
    team = factory.team("payments", "Payments")
    return factory.user(
        email="manager@example.com", role="manager", name="Max Manager", teams=[team]
    )


@pytest.fixture
def payments(manager):
    """The manager's team."""
    return manager.teams[0]


@pytest.fixture
def search(factory):
    """A team the manager is not in."""
    return factory.team("search", "Search")


@pytest.fixture
def viewer(factory):
    return factory.user(email="viewer@example.com", role="viewer", name="Vic Viewer")


def signed_in_client(app, user):
    """A client whose session cookie is signed in as `user`, as after the sign-in form."""
    from tracker.auth.sessions import SESSION_KEY, open_login_session

    client = app.test_client()
    login_token = open_login_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[SESSION_KEY] = login_token
    return client


@pytest.fixture
def admin_client(app, admin):
    return signed_in_client(app, admin)


@pytest.fixture
def manager_client(app, manager):
    return signed_in_client(app, manager)


@pytest.fixture
def viewer_client(app, viewer):
    return signed_in_client(app, viewer)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email="admin@example.com", password=None, next_url=None, **kwargs):
        from tests.factories import DEFAULT_PASSWORD

        data = {"email": email, "password": password or DEFAULT_PASSWORD}
        if next_url is not None:
            data["next"] = next_url
        return self._client.post("/login", data=data, **kwargs)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


# Jira ---------------------------------------------------------------------------------------


@pytest.fixture
def retry_sleeps(monkeypatch) -> list[float]:
    """The jira package's retry waits, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr("jira.resilientsession.time.sleep", waits.append)
    return waits


@pytest.fixture(params=["DataCenter", "Cloud"])
def fake_jira(request, clock, retry_sleeps):
    """A local Jira-protocol server (both deployment types unless a test asks for one with
    @pytest.mark.jira_deployment("Cloud"))."""
    from tests.jira_server import FakeJira

    marker = request.node.get_closest_marker("jira_deployment")
    deployment = marker.args[0] if marker else request.param
    if marker and deployment != request.param:
        pytest.skip(f"this test runs against {deployment} only")
    server = FakeJira(deployment, clock=clock)
    server.start()
    yield server
    server.stop()
    assert not server.server_errors, f"the fake Jira failed: {server.server_errors}"


@pytest.fixture
def jira(app, fake_jira):
    """The app pointed at the fake Jira with its default credentials."""
    from tests.jira_server import DEFAULT_TOKEN, DEFAULT_USER

    app.config.update(
        JIRA_URL=fake_jira.url,
        JIRA_USER=DEFAULT_USER,
        JIRA_TOKEN=DEFAULT_TOKEN,
        JIRA_PROJECT="OPS",
        JIRA_TIMEOUT=2.0,
        JIRA_BATCH_SIZE=50,
    )
    return fake_jira


# Single sign-on ---------------------------------------------------------------------------


@pytest.fixture
def oidc_provider():
    """A local OpenID provider (tests/oidc_server.py) on 127.0.0.1."""
    from tests.oidc_server import OidcProvider

    provider = OidcProvider().start()
    yield provider
    provider.stop()
    assert not provider.errors, f"the test provider failed: {provider.errors}"


@pytest.fixture
def sso(app, oidc_provider):
    """The app signing in through the test provider; groups decide roles and teams."""
    app.config.update(
        OIDC_ISSUER=oidc_provider.issuer,
        OIDC_CLIENT_ID=oidc_provider.client_id,
        OIDC_CLIENT_SECRET=oidc_provider.client_secret,
        OIDC_PROVIDER_NAME="Acme SSO",
        OIDC_ADMIN_GROUPS="avail-admins",
        OIDC_MANAGER_GROUPS="avail-managers, eng-managers",
        OIDC_TEAM_GROUP_PREFIX="avail-team-",
        OIDC_TIMEOUT=5.0,
    )
    return oidc_provider


class SsoActions:
    """Sign in through the provider with the test client, as a browser follows redirects."""

    def __init__(self, client, provider):
        self.client = client
        self.provider = provider

    def start(self, next_url: str | None = None):
        """Open "Sign in with …"; returns the app's answer (a redirect to the provider)."""
        query = {"next": next_url} if next_url else {}
        return self.client.get("/login/sso", query_string=query)

    def callback(self, callback_url: str):
        """Follow the provider's redirect back to the app."""
        parts = urlsplit(callback_url)
        return self.client.get(f"{parts.path}?{parts.query}")

    def sign_in(self, sub: str, next_url: str | None = None):
        """The whole round trip as `sub`; returns the app's answer to the callback."""
        start = self.start(next_url)
        assert start.status_code == 302, start.get_data(as_text=True)
        return self.callback(self.provider.approve(start.location, sub))


@pytest.fixture
def sso_client(client, sso) -> SsoActions:
    return SsoActions(client, sso)
