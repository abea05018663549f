"""Login sessions live on the server: signing out ends one, whatever the browser kept."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import counting_queries
from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.models import LoginSession, Team


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def client_with_cookie(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def open_sessions(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    )


def test_signing_in_opens_a_login_session(auth, admin):
    auth.login()
    assert open_sessions(admin) == 1


def test_a_cookie_copied_before_signing_out_is_refused_after_it(app, client, auth, admin):
    auth.login()
    copied = session_cookie(client)
    assert client_with_cookie(app, copied).get("/").status_code == 200, "the copy works at first"

    auth.logout()
    thief = client_with_cookie(app, copied)
    page = thief.get("/")
    assert page.status_code == 302
    assert page.location.startswith("/login")
    posted = thief.post("/admin/teams/new", data={"slug": "stolen", "name": "Stolen"})
    assert posted.status_code == 302 and posted.location.startswith("/login")
    assert db.session.scalar(sa.select(Team).where(Team.slug == "stolen")) is None
    assert open_sessions(admin) == 0


def test_the_api_under_a_signed_out_cookie_is_unauthorised(app, client, auth, admin):
    auth.login()
    copied = session_cookie(client)
    auth.logout()
    assert client_with_cookie(app, copied).get("/api/v1/risks").status_code == 401


def test_signing_out_leaves_the_users_other_sessions_signed_in(app, admin):
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login()
    AuthActions(phone).login()
    AuthActions(laptop).logout()
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200
    assert open_sessions(admin) == 1


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, viewer):
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login(email=viewer.email)
    AuthActions(phone).login(email=viewer.email)
    phone_cookie = session_cookie(phone)
    changed = laptop.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert changed.status_code == 302
    assert laptop.get("/").status_code == 200
    assert client_with_cookie(app, phone_cookie).get("/").status_code == 302
    assert open_sessions(viewer) == 1, "only the laptop's new session is open"


def test_deactivation_ends_every_session(app, client, auth, factory):
    user = factory.user(email="leaving@example.com", role="manager")
    auth.login(email=user.email)
    accounts.deactivate_user(user)
    assert open_sessions(user) == 0
    assert client.get("/").status_code == 302


def test_a_session_of_another_user_does_not_sign_anyone_in(app, client, auth, admin, viewer):
    """The login session must belong to the user the cookie names."""
    auth.login(email=viewer.email)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    assert client.get("/").status_code == 302


def test_a_cookie_without_a_login_session_is_refused(app, admin):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    assert client.get("/").status_code == 302


def test_single_sign_on_opens_a_login_session_that_signing_out_ends(app, sso_client, client):
    sso_client.provider.set_user("sub-1", email="sso@example.com", email_verified=True)
    sso_client.sign_in("sub-1")
    copied = session_cookie(client)
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client_with_cookie(app, copied).get("/").status_code == 302


class TestLastSeen:
    def last_seen(self, user):
        return db.session.scalar(
            sa.select(LoginSession.last_seen_at).where(LoginSession.user_id == user.id)
        )

    def test_is_written_at_most_once_a_minute(self, client, auth, admin, clock):
        auth.login()
        signed_in_at = self.last_seen(admin)
        clock.advance(seconds=59)
        client.get("/")
        assert self.last_seen(admin) == signed_in_at
        clock.advance(seconds=1)
        client.get("/")
        assert self.last_seen(admin) == clock.current

    def test_checking_the_session_costs_one_query(self, app, client, auth, admin, clock):
        auth.login()
        with all_statements() as statements:
            client.get("/account/password")
        assert [s.split()[0] for s in statements if "login_sessions" in s] == ["SELECT"]

        clock.advance(minutes=1)
        with all_statements() as statements:
            client.get("/account/password")
        touching = [s.split()[0] for s in statements if "login_sessions" in s]
        assert touching == ["SELECT", "UPDATE"], "the minute's one note of use"
        with counting_queries() as counted:
            clock.advance(minutes=1)
            client.get("/account/password")
        assert not any("last_seen_at" in s for s in counted if s.startswith("UPDATE"))


@contextmanager
def all_statements():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
class TestFormTokenRotation:
    def token(self, client, path: str) -> str:
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def sign_in(self, client, user, token: str):
        data = {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
        return client.post("/login", data=data)

    def test_a_token_from_before_signing_in_is_refused_after_it(self, client, admin):
        before = self.token(client, "/login")
        assert self.sign_in(client, admin, before).status_code == 302
        refused = client.post(
            "/admin/teams/new", data={"slug": "sre", "name": "SRE", "csrf_token": before}
        )
        assert refused.status_code == 400
        assert "security token" in refused.get_data(as_text=True)
        assert db.session.scalar(sa.select(Team).where(Team.slug == "sre")) is None

    def test_a_token_from_after_signing_in_is_accepted(self, client, admin):
        self.sign_in(client, admin, self.token(client, "/login"))
        after = self.token(client, "/admin/teams/new")
        accepted = client.post(
            "/admin/teams/new", data={"slug": "sre", "name": "SRE", "csrf_token": after}
        )
        assert accepted.status_code == 302
