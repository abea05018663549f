"""Signing in and out, throttling, deactivation, and changing one's own password."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD
from tracker.accounts import services
from tracker.auth.services import GENERIC_FAILURE


def test_login_with_right_password_signs_in_and_goes_home(client, auth, admin):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Ada Admin" in client.get("/").get_data(as_text=True)


def test_login_accepts_email_in_any_case(auth, admin):
    assert auth.login(email="  Admin@Example.COM ").status_code == 302


def test_login_with_wrong_password_is_refused(client, auth, admin):
    response = auth.login(password="not the password at all")
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_keeps_the_email_typed(auth, admin):
    page = auth.login(password="wrong password here").get_data(as_text=True)
    assert 'value="admin@example.com"' in page


def test_unknown_email_gets_the_same_message_as_a_wrong_password(auth):
    response = auth.login(email="nobody@example.com")
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, auth, factory):
    factory.user(email="gone@example.com", active=False)
    response = auth.login(email="gone@example.com")
    assert response.status_code == 401
    assert "deactivated" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_open_session(app, admin_client, admin, factory):
    from tests.conftest import signed_in_client

    other_admin = factory.user(email="other@example.com", role="admin")
    client = signed_in_client(app, other_admin)
    assert client.get("/").status_code == 200
    services.deactivate_user(other_admin)
    assert client.get("/").status_code == 302


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/admin/users?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users?x%3D1"


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(auth, admin, next_url, expected):
    response = auth.login(next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout_signs_out(client, auth, admin):
    auth.login()
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_logout_by_get_is_not_allowed(client, auth, admin):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


class TestThrottling:
    def fail(self, auth, email="admin@example.com", times=1, **kwargs):
        for _ in range(times):
            auth.login(email=email, password="wrong password guess", **kwargs)

    def test_account_is_locked_after_five_failures_even_for_the_right_password(self, auth, admin):
        self.fail(auth, times=5)
        response = auth.login()
        assert response.status_code == 401
        assert "Try again in 900 seconds." in response.get_data(as_text=True)

    def test_four_failures_do_not_lock(self, auth, admin):
        self.fail(auth, times=4)
        assert auth.login().status_code == 302

    def test_lock_message_counts_down_with_the_clock(self, auth, admin, clock):
        self.fail(auth, times=5)
        clock.advance(seconds=600)
        assert "Try again in 300 seconds." in auth.login().get_data(as_text=True)

    def test_lock_lifts_when_failures_age_out(self, auth, admin, clock):
        self.fail(auth, times=5)
        clock.advance(seconds=901)
        assert auth.login().status_code == 302

    def test_success_forgives_earlier_account_failures(self, client, auth, admin):
        self.fail(auth, times=4)
        auth.login()
        auth.logout()
        self.fail(auth, times=4)
        assert auth.login().status_code == 302

    def test_address_is_locked_after_many_failures_across_accounts(self, auth, admin):
        for number in range(20):
            self.fail(auth, email=f"guess{number}@example.com")
        response = auth.login()
        assert response.status_code == 401
        assert "Try again in" in response.get_data(as_text=True)

    def test_other_addresses_are_not_locked_by_one_address(self, auth, admin):
        for number in range(20):
            self.fail(auth, email=f"guess{number}@example.com")
        response = auth.login(environ_base={"REMOTE_ADDR": "10.9.8.7"})
        assert response.status_code == 302


class TestChangeOwnPassword:
    NEW = "a brand new passphrase"

    def post(self, client, current=DEFAULT_PASSWORD, new=NEW, confirm=None):
        return client.post(
            "/account/password",
            data={
                "current_password": current,
                "new_password": new,
                "confirm_password": confirm if confirm is not None else new,
            },
        )

    def test_change_password_lets_the_user_sign_in_with_the_new_one(
        self, app, client, auth, viewer
    ):
        auth.login(email=viewer.email)
        assert self.post(client).status_code == 302
        assert client.get("/").status_code == 200, "this session stays signed in"
        auth.logout()
        assert auth.login(email=viewer.email, password=self.NEW).status_code == 302

    def test_change_password_signs_out_other_sessions(self, viewer_client, client, auth, viewer):
        auth.login(email=viewer.email)
        self.post(client)
        assert viewer_client.get("/").status_code == 302

    def test_wrong_current_password_is_refused(self, viewer_client):
        response = self.post(viewer_client, current="not my password")
        assert response.status_code == 400
        assert "The current password is not right." in response.get_data(as_text=True)

    def test_weak_new_password_is_refused(self, viewer_client):
        response = self.post(viewer_client, new="short")
        assert response.status_code == 400
        assert "at least 12 characters" in response.get_data(as_text=True)

    def test_mismatched_confirmation_is_refused(self, viewer_client):
        response = self.post(viewer_client, confirm="something else entirely")
        assert response.status_code == 400
        assert "The two new passwords differ." in response.get_data(as_text=True)
