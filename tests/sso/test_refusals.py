"""What the sign-in refuses, and how it tells the person: a clear page and a log line, never a
500, and never a code, token or secret in the log."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from tests.oidc_server import CLIENT_SECRET
from tracker.extensions import db
from tracker.models import User


@pytest.fixture(autouse=True)
def _no_secret_in_the_log(caplog):
    """Every test here ends by checking that the log holds no secret of the exchange."""
    yield
    assert CLIENT_SECRET not in caplog.text
    assert "code=" not in caplog.text
    assert "eyJ" not in caplog.text, "a JWT (ID token) was logged"


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def refused(response, status: int, words: str, caplog, log_words: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert words in page
    assert log_words in caplog.text
    assert user_count() == 0


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_forged_state_is_refused(sso_client, sso, caplog):
    sso.set_user("00u-ada", email="ada@example.com")
    start = sso_client.start()
    callback = sso.approve(start.location, "00u-ada")

    response = sso_client.callback(with_query(callback, state="forged-by-an-attacker"))

    refused(response, 400, "sign-in link is out of date", caplog, "stale_request")
    assert sso.token_requests == [], "the code was not even exchanged"


def test_a_callback_this_browser_never_started_is_refused(sso_client, sso, client, caplog, app):
    """Login CSRF: an attacker's own code and state, delivered to a victim's browser."""
    sso.set_user("00u-mallory", email="mallory@example.com")
    attacker = app.test_client()
    callback = sso.approve(attacker.get("/login/sso").location, "00u-mallory")

    response = sso_client.callback(callback)

    refused(response, 400, "not started from this browser", caplog, "stale_request")


def test_a_replayed_code_is_refused(sso_client, sso, caplog, app):
    sso.set_user("00u-ada", email="ada@example.com")
    start = sso_client.start()
    callback = sso.approve(start.location, "00u-ada")
    assert sso_client.callback(callback).location == "/"
    sso_client.client.post("/logout")
    # The same code again, with a state this browser has started meanwhile.
    state = parse_qs(urlsplit(sso_client.start().location).query)["state"][0]

    response = sso_client.callback(with_query(callback, state=state))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already used" in page
    assert "invalid_grant" in caplog.text
    assert sso_client.client.get("/").status_code == 302


def test_an_id_token_with_another_nonce_is_refused(sso_client, sso, caplog):
    sso.set_user("00u-ada", email="ada@example.com")
    sso.nonce_override = "a-nonce-from-another-sign-in"

    response = sso_client.sign_in("00u-ada")

    refused(response, 502, "did not pass the tracker", caplog, "nonce")


def test_an_id_token_signed_by_another_key_is_refused(sso_client, sso, caplog):
    sso.set_user("00u-ada", email="ada@example.com")
    sso.sign_with_unpublished_key = True

    response = sso_client.sign_in("00u-ada")

    refused(response, 502, "did not pass the tracker", caplog, "BadSignatureError")


@pytest.mark.parametrize("offset", [600, -900], ids=["provider-ahead", "provider-behind"])
def test_a_provider_clock_far_off_is_reported_as_clock_skew(sso_client, sso, caplog, offset):
    sso.set_user("00u-ada", email="ada@example.com")
    sso.clock_offset = offset

    response = sso_client.sign_in("00u-ada")

    refused(response, 502, "check the server", caplog, "clock_skew")


def test_a_provider_clock_within_the_leeway_is_fine(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com")
    sso.clock_offset = 90

    assert sso_client.sign_in("00u-ada").location == "/"


def test_a_cancelled_sign_in_says_so(sso_client, sso, caplog):
    start = sso_client.start()
    callback = sso.approve(start.location, "00u-ada", action="deny")

    response = sso_client.callback(callback)

    refused(response, 401, "sign-in was cancelled", caplog, "cancelled")


def test_another_provider_error_is_shown_without_its_jargon(sso_client, sso, caplog):
    start = sso_client.start()
    state = parse_qs(urlsplit(start.location).query)["state"][0]

    response = sso_client.client.get(
        "/login/sso/callback",
        query_string={
            "error": "unauthorized_client",
            "error_description": "not assigned",
            "state": state,
        },
    )

    refused(response, 401, "did not let you in", caplog, "unauthorized_client: not assigned")


def test_a_missing_email_claim_is_explained(sso_client, sso, caplog):
    sso.set_user("00u-ada", name="Ada")

    response = sso_client.sign_in("00u-ada")

    refused(response, 403, "did not send one", caplog, "no usable email claim")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_provider_is_reported_at_the_start(sso_client, app, caplog):
    app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{closed_port()}"

    response = sso_client.start()

    page = response.get_data(as_text=True)
    assert response.status_code == 502
    assert "cannot be reached" in page
    assert "discovery" in caplog.text


def test_a_provider_that_goes_away_mid_sign_in_is_reported(sso_client, sso, caplog):
    sso.set_user("00u-ada", email="ada@example.com")
    start = sso_client.start()
    callback = sso.approve(start.location, "00u-ada")
    sso.stop()

    response = sso_client.callback(callback)

    refused(response, 502, "cannot be reached", caplog, "exchanging the code failed")


def test_a_discovery_document_for_another_issuer_is_refused(sso_client, app, sso, caplog):
    app.config["OIDC_ISSUER"] = sso.issuer.replace("127.0.0.1", "localhost")

    response = sso_client.start()

    assert response.status_code == 502
    assert "not OIDC_ISSUER" in caplog.text


def test_a_subject_longer_than_the_standard_allows_is_refused(sso_client, sso, caplog):
    sso.set_user("s" * 256, email="ada@example.com")

    response = sso_client.sign_in("s" * 256)

    refused(response, 502, "did not pass the tracker", caplog, "longer than 255")


def test_a_provider_error_description_is_logged_on_one_line(sso_client, sso, caplog):
    state = parse_qs(urlsplit(sso_client.start().location).query)["state"][0]

    sso_client.client.get(
        "/login/sso/callback",
        query_string={
            "error": "server_error",
            "error_description": "a\nFAKE LOG LINE",
            "state": state,
        },
    )

    assert "server_error: a FAKE LOG LINE" in caplog.text
    assert "\nFAKE LOG LINE" not in caplog.text
