"""PASSWORD_LOGIN on, admins-only and off; and signing out of the provider too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.usefixtures("sso")


@pytest.fixture
def password_login(app, sso, request) -> str:
    """PASSWORD_LOGIN for the test (set once single sign-on is, as start-up requires)."""
    app.config["PASSWORD_LOGIN"] = request.param
    return request.param


@pytest.mark.parametrize("password_login", ["off"], indirect=True)
def test_off_refuses_every_password(auth, admin, password_login):
    response = auth.login(admin.email)

    assert response.status_code == 401
    assert "Passwords are turned off" in response.get_data(as_text=True)
    assert auth._client.get("/").status_code == 302


@pytest.mark.parametrize("password_login", ["off"], indirect=True)
def test_off_hides_the_password_form(client, password_login):
    page = client.get("/login").get_data(as_text=True)

    assert "Sign in with Acme SSO" in page
    assert 'name="password"' not in page


@pytest.mark.parametrize("password_login", ["admins-only"], indirect=True)
def test_admins_only_lets_admins_in_with_a_password(auth, admin, password_login):
    assert auth.login(admin.email).location == "/"


@pytest.mark.parametrize("password_login", ["admins-only"], indirect=True)
def test_admins_only_refuses_everyone_else(auth, manager, password_login):
    response = auth.login(manager.email)

    assert response.status_code == 401
    assert "Only admins sign in with a password" in response.get_data(as_text=True)


@pytest.mark.parametrize("password_login", ["admins-only"], indirect=True)
def test_admins_only_still_says_nothing_about_a_wrong_password(auth, manager, password_login):
    response = auth.login(manager.email, password="not the password at all")

    assert "do not match an active account" in response.get_data(as_text=True)


def test_a_user_without_a_password_cannot_sign_in_with_one(auth, sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")
    sso_client.client.post("/logout")

    response = auth.login("ada@example.com", password="")

    assert response.status_code in (400, 401)
    assert sso_client.client.get("/").status_code == 302


def test_password_sign_in_records_the_last_sign_in(auth, admin, clock):
    auth.login(admin.email)

    assert admin.last_sign_in_at == clock()


def test_signing_out_ends_the_provider_session_too(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")

    response = sso_client.client.post("/logout")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    end_session = urlsplit(
        page.split('http-equiv="refresh" content="0; url=')[1].split('"')[0].replace("&amp;", "&")
    )
    assert (
        f"{end_session.scheme}://{end_session.netloc}{end_session.path}"
        == f"{sso.issuer}/end-session"
    )
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["client_id"] == [sso.client_id]
    assert query["id_token_hint"][0].count(".") == 2
    assert sso_client.client.get("/").status_code == 302


def test_without_an_end_session_endpoint_sign_out_stays_local(sso_client, sso):
    sso.offers_end_session = False
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")

    response = sso_client.client.post("/logout")

    assert response.status_code == 302
    assert response.location == "/login"


def test_a_password_session_signs_out_locally(auth, admin):
    auth.login(admin.email)

    response = auth.logout()

    assert response.location == "/login"


def test_sign_out_is_local_when_the_provider_is_gone(sso_client, sso, app, caplog):
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")
    app.extensions.pop("tracker.sso")  # a new process: the discovery document is not cached
    sso.stop()

    response = sso_client.client.post("/logout")

    assert response.location == "/login"
    assert sso_client.client.get("/").status_code == 302
    assert "Single sign-out skipped" in caplog.text
