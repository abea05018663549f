"""CSRF, safe redirects and the throttle arithmetic."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import DEFAULT_PASSWORD
from tracker.auth.throttle import seconds_until_unlocked
from tracker.security import is_safe_next_url


@pytest.mark.parametrize(
    "target",
    ["/", "/admin/users", "/risks?team=payments&page=2"],
)
def test_site_paths_are_safe_next_urls(target):
    assert is_safe_next_url(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example.com/",
        "//evil.example.com",
        "/\\evil.example.com",
        "\\\\evil.example.com",
        "javascript:alert(1)",
        "admin/users",
        "/\r\nLocation: https://evil.example.com",
        "/%0d%0aSet-Cookie:x=1\t",
    ],
)
def test_anything_that_could_leave_the_site_is_not_a_safe_next_url(target):
    assert not is_safe_next_url(target)


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_below_the_limit_nothing_is_locked():
    failures = [NOW - timedelta(minutes=1)] * 4
    assert seconds_until_unlocked(failures, limit=5, window=WINDOW, now=NOW) == 0


def test_at_the_limit_the_lock_lasts_until_the_oldest_failure_ages_out():
    failures = [NOW - timedelta(minutes=minutes) for minutes in (10, 8, 6, 4, 2)]
    assert seconds_until_unlocked(failures, limit=5, window=WINDOW, now=NOW) == 5 * 60


def test_failures_outside_the_window_do_not_count():
    failures = [NOW - timedelta(minutes=minutes) for minutes in (20, 8, 6, 4, 2)]
    assert seconds_until_unlocked(failures, limit=5, window=WINDOW, now=NOW) == 0


def test_over_the_limit_the_lock_lasts_until_enough_failures_age_out():
    failures = [NOW - timedelta(minutes=minutes) for minutes in (14, 12, 9, 6, 4, 2)]
    # Six failures, limit five: the second oldest (12 min ago) must age out, in 3 minutes.
    assert seconds_until_unlocked(failures, limit=5, window=WINDOW, now=NOW) == 3 * 60


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
class TestCsrf:
    def csrf_token(self, client, path="/login") -> str:
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def test_login_without_a_token_is_rejected(self, client, admin):
        response = client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302, "not signed in"

    def test_login_with_the_token_succeeds(self, client, admin):
        token = self.csrf_token(client)
        response = client.post(
            "/login",
            data={"email": admin.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200

    def test_logout_without_a_token_is_rejected(self, admin_client):
        assert admin_client.post("/logout").status_code == 400
        assert admin_client.get("/").status_code == 200, "still signed in"

    def test_password_change_without_a_token_is_rejected(self, viewer_client):
        response = viewer_client.post(
            "/account/password",
            data={
                "current_password": DEFAULT_PASSWORD,
                "new_password": "another long passphrase",
                "confirm_password": "another long passphrase",
            },
        )
        assert response.status_code == 400
