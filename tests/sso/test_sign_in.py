"""Signing in through the OpenID provider: who the person is, and what the sign-in checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User, UserEvent


def user_by_subject(sub: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.oidc_subject == sub))


def test_first_sign_in_creates_a_viewer_and_lands_on_the_dashboard(sso_client, sso, clock):
    sso.set_user("00u-ada", email="Ada@Example.com", email_verified=True, name="Ada Lovelace")

    response = sso_client.sign_in("00u-ada")

    assert response.status_code == 302
    assert response.location == "/"
    user = user_by_subject("00u-ada")
    assert (user.email, user.display_name, user.role) == (
        "ada@example.com",
        "Ada Lovelace",
        "viewer",
    )
    assert user.password_hash is None
    assert user.last_sign_in_at == clock()
    assert sso_client.client.get("/").status_code == 200


def test_the_sign_in_returns_to_the_page_asked_for(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")

    assert sso_client.sign_in("00u-ada", next_url="/risks").location == "/risks"


def test_a_next_url_on_another_site_is_ignored(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")

    assert sso_client.sign_in("00u-ada", next_url="//evil.example/").location == "/"


def test_the_subject_keeps_identifying_a_person_whose_email_changed(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")
    first = user_by_subject("00u-ada")
    sso_client.client.post("/logout")

    sso.set_user("00u-ada", email="ada.lovelace@example.com")
    sso_client.sign_in("00u-ada")

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    user = user_by_subject("00u-ada")
    assert user.id == first.id
    assert user.email == "ada.lovelace@example.com"
    change = db.session.scalar(sa.select(UserEvent).where(UserEvent.field == "email"))
    assert (change.old_value, change.new_value, change.by_provider) == (
        "ada@example.com",
        "ada.lovelace@example.com",
        True,
    )


def test_a_new_subject_with_a_known_email_is_not_an_email_change(sso_client, sso, factory):
    """Another identity at the provider claiming a linked user's email is refused."""
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")
    sso_client.client.post("/logout")
    sso.set_user("00u-impostor", email="ada@example.com")

    response = sso_client.sign_in("00u-impostor")

    assert response.status_code == 403
    assert "linked to a different identity" in response.get_data(as_text=True)
    assert user_by_subject("00u-impostor") is None


def test_an_existing_password_user_is_matched_by_verified_email_and_linked(
    sso_client, sso, factory
):
    existing = factory.user(email="max@example.com", role="manager", name="Max")
    sso.set_user("00u-max", email="MAX@example.com", email_verified=True)

    sso_client.sign_in("00u-max")

    user = db.session.get(User, existing.id)
    assert user.oidc_subject == "00u-max"
    assert user.sign_in_methods == "both"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_an_unverified_email_is_refused_and_matches_nobody(sso_client, sso, factory):
    existing = factory.user(email="max@example.com", role="admin")
    sso.set_user("00u-max", email="max@example.com", email_verified=False)

    response = sso_client.sign_in("00u-max")

    assert response.status_code == 403
    assert "not verified" in response.get_data(as_text=True)
    assert db.session.get(User, existing.id).oidc_subject is None
    assert sso_client.client.get("/").status_code == 302


def test_a_deactivated_user_is_refused_even_though_the_provider_says_yes(
    sso_client, sso, factory, caplog
):
    factory.user(email="gone@example.com", active=False)
    sso.set_user("00u-gone", email="gone@example.com", email_verified=True)

    response = sso_client.sign_in("00u-gone")

    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert sso_client.client.get("/").status_code == 302
    assert "gone@example.com is deactivated" in caplog.text


def test_the_email_is_taken_from_userinfo_when_the_id_token_lacks_it(sso_client, sso):
    sso.email_only_at_userinfo = True
    sso.set_user("00u-ada", email="ada@example.com")

    assert sso_client.sign_in("00u-ada").location == "/"
    assert user_by_subject("00u-ada").email == "ada@example.com"


def test_the_authorization_request_carries_pkce_state_and_nonce(sso_client, sso):
    start = sso_client.start()

    query = parse_qs(urlsplit(start.location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://localhost/login/sso/callback"]


def test_the_code_is_exchanged_with_the_pkce_verifier(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")

    (exchange,) = sso.token_requests
    assert exchange["grant_type"] == "authorization_code"
    assert len(exchange["code_verifier"]) >= 43


def test_sso_pages_are_not_found_when_sso_is_not_configured(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


@pytest.mark.app_config(PASSWORD_LOGIN="on")
def test_the_sign_in_page_offers_the_provider_when_configured(client, sso):
    page = client.get("/login").get_data(as_text=True)

    assert "Sign in with Acme SSO" in page
    assert 'name="password"' in page


def test_an_email_change_to_another_users_email_keeps_the_old_one(sso_client, sso, factory, caplog):
    factory.user(email="max@example.com")
    sso.set_user("00u-ada", email="ada@example.com")
    sso_client.sign_in("00u-ada")
    sso_client.client.post("/logout")

    sso.set_user("00u-ada", email="max@example.com")
    response = sso_client.sign_in("00u-ada")

    assert response.location == "/"
    assert user_by_subject("00u-ada").email == "ada@example.com"
    assert "which another user has; keeping ada@example.com" in caplog.text
