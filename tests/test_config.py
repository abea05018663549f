"""Configuration: secrets, database URLs, cookies."""

from __future__ import annotations

import pytest

from tracker import ConfigurationError, create_app
from tracker.config import normalise_database_url, settings_from_environment


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short-key"])
def test_production_refuses_to_start_without_a_proper_secret_key(tmp_path, secret):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": secret}
    with pytest.raises(ConfigurationError, match="SECRET_KEY") as refused:
        create_app(config)
    assert "export SECRET_KEY=" in str(refused.value), "the message says how to set one"


def test_production_starts_with_a_long_random_secret_key(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k" * 40}
    )
    assert app.config["TRACKER_ENV"] == "production"


def test_development_runs_with_a_throw_away_key(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "TRACKER_ENV": "development"}
    )
    assert len(app.config["SECRET_KEY"]) >= 32


def test_environment_settings_are_read_and_typed():
    settings = settings_from_environment(
        {"SECRET_KEY": "abc", "LOGIN_FAILURES_PER_ACCOUNT": "3", "DATABASE_URL": "postgres://h/db"}
    )
    assert settings == {
        "SECRET_KEY": "abc",
        "LOGIN_FAILURES_PER_ACCOUNT": 3,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db",
    }


def test_a_number_setting_that_is_not_a_number_is_named():
    with pytest.raises(ValueError, match="PROXY_COUNT must be a whole number"):
        settings_from_environment({"PROXY_COUNT": "two"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_postgres_urls_use_the_psycopg_driver(url, expected):
    assert normalise_database_url(url) == expected


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    app = create_app({"SECRET_KEY": "k" * 40, "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/tracker.db")


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    from tracker.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas apply to SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


class TestSessionCookie:
    def cookie_header(self, auth, **kwargs) -> str:
        response = auth.login(**kwargs)
        assert response.status_code == 302
        return next(
            value
            for value in response.headers.getlist("Set-Cookie")
            if value.startswith("session=")
        )

    def test_session_cookie_is_httponly_and_samesite_lax(self, auth, admin):
        header = self.cookie_header(auth)
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert "Secure" not in header

    def test_session_cookie_is_secure_over_https(self, auth, admin):
        header = self.cookie_header(auth, base_url="https://localhost")
        assert "Secure" in header

    def test_forwarded_https_is_ignored_without_a_trusted_proxy(self, auth, admin):
        header = self.cookie_header(auth, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in header

    @pytest.mark.app_config(PROXY_COUNT=1)
    def test_forwarded_https_from_a_trusted_proxy_makes_the_cookie_secure(self, auth, admin):
        header = self.cookie_header(auth, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in header


@pytest.mark.parametrize(
    "public_url",
    ["risks.example.com", "ftp://risks.example.com", "https://", "https://h/?a=1", "https://h/#x"],
)
def test_a_public_url_that_is_not_a_web_address_refuses_to_start(tmp_path, public_url):
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        "SECRET_KEY": "k" * 40,
        "PUBLIC_URL": public_url,
    }
    with pytest.raises(ConfigurationError, match="PUBLIC_URL must be the address") as refused:
        create_app(config)
    assert repr(public_url) in str(refused.value)


def test_public_url_comes_from_the_environment():
    settings = settings_from_environment({"PUBLIC_URL": "https://risks.example.com"})
    assert settings == {"PUBLIC_URL": "https://risks.example.com"}


def test_import_and_upload_limits_come_from_the_environment():
    settings = settings_from_environment(
        {"IMPORT_MAX_ROWS": "500", "MAX_CONTENT_LENGTH": "1048576"}
    )
    assert (settings["IMPORT_MAX_ROWS"], settings["MAX_CONTENT_LENGTH"]) == (500, 1_048_576)
