"""The OpenID provider, through Authlib's Flask client: start a sign-in, finish it, end it.

Authlib does the protocol: authorization code with PKCE (S256), `state` kept in the session and
checked on return, a `nonce` checked in the ID token, and the ID token's signature checked
against the provider's published keys (JWKS) along with its issuer, audience and times. This
module turns each way that can fail into an SsoFailure a person can read.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Response, current_app
from joserfc import errors as joserfc_errors

from tracker.sso import errors
from tracker.sso.settings import SsoSettings

log = logging.getLogger(__name__)

PROVIDER = "oidc"
# Session keys: the ID token, kept for the provider's sign-out; where to go after signing in.
ID_TOKEN_KEY = "sso_id_token"  # noqa: S105 (a session key name)
NEXT_KEY = "sso_next"
_EXTENSION = "tracker.sso"
# The provider took too long or broke the connection: nothing it sent can be used.
_NETWORK_ERRORS = (requests.RequestException, ValueError)


def settings() -> SsoSettings | None:
    """The single sign-on settings in force, or None when it is not configured."""
    return SsoSettings.from_config(current_app.config)


def _provider(sso: SsoSettings):
    """The Authlib client for these settings, made once per app (again when settings change)."""
    cached = current_app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != sso:
        oauth = OAuth(current_app)
        client = oauth.register(
            PROVIDER,
            client_id=sso.client_id,
            client_secret=sso.client_secret,
            server_metadata_url=sso.discovery_url,
            client_kwargs={
                "scope": sso.scopes,
                "code_challenge_method": "S256",
                "default_timeout": sso.timeout,
            },
        )
        cached = (sso, client)
        current_app.extensions[_EXTENSION] = cached
    return cached[1]


def _metadata(sso: SsoSettings) -> dict[str, Any]:
    """The provider's discovery document; its issuer must be the one configured."""
    try:
        metadata = _provider(sso).load_server_metadata()
    except _NETWORK_ERRORS as exc:
        raise errors.unreachable(f"discovery at {sso.discovery_url} failed: {exc!r}") from None
    issuer = str(metadata.get("issuer", "")).rstrip("/")
    if issuer != sso.issuer:
        raise errors.untrusted_token(
            f"the discovery document names issuer {issuer!r}, not OIDC_ISSUER {sso.issuer!r}"
        )
    return metadata


def authorization_redirect(sso: SsoSettings, redirect_uri: str) -> Response:
    """A redirect to the provider's sign-in; state, nonce and PKCE verifier go in the session."""
    _metadata(sso)
    try:
        return _provider(sso).authorize_redirect(redirect_uri)
    except _NETWORK_ERRORS as exc:
        raise errors.unreachable(f"starting the sign-in failed: {exc!r}") from None


def _token_from_callback(sso: SsoSettings) -> dict[str, Any]:
    try:
        return _provider(sso).authorize_access_token(leeway=sso.clock_leeway_seconds)
    except MismatchingStateError:
        raise errors.stale_request(
            "the state in the answer is not one this session started"
        ) from None
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise errors.cancelled() from None
        if exc.error == "invalid_grant":
            raise errors.stale_request(
                "the token endpoint refused the code (invalid_grant: used, expired or not ours)"
            ) from None
        raise errors.refused_by_provider(exc.error or "error", exc.description or "") from None
    except joserfc_errors.JoseError as exc:
        if _is_about_time(exc):
            raise errors.clock_skew(
                f"the ID token's {exc.claim} is outside the {sso.clock_leeway_seconds} s "
                f"leeway: {exc.description}"
            ) from None
        raise errors.untrusted_token(
            f"ID token refused: {type(exc).__name__}: {exc.description}"
        ) from None
    except _NETWORK_ERRORS as exc:
        raise errors.unreachable(f"exchanging the code failed: {exc!r}") from None


def _is_about_time(error: joserfc_errors.JoseError) -> bool:
    """An expired token, or one issued or valid only in the future: the clocks disagree."""
    return isinstance(error, joserfc_errors.ExpiredTokenError) or (
        isinstance(error, joserfc_errors.InvalidClaimError) and error.claim in ("iat", "nbf")
    )


def claims_from_callback(sso: SsoSettings) -> tuple[dict[str, Any], str]:
    """The verified ID token's claims and the raw ID token, from the provider's redirect back.

    Claims the ID token lacks (some providers send the email only from the userinfo endpoint)
    are filled in from there, for the same subject. Raises SsoFailure.
    """
    token = _token_from_callback(sso)
    if not token.get("userinfo") or not token.get("id_token"):
        raise errors.untrusted_token("the token response carries no ID token")
    claims = dict(token["userinfo"])
    if "email" not in claims and _metadata(sso).get("userinfo_endpoint"):
        claims = {**_userinfo(sso, token), **claims}
    return claims, token["id_token"]


def _userinfo(sso: SsoSettings, token: dict[str, Any]) -> dict[str, Any]:
    try:
        info = dict(_provider(sso).userinfo(token=token))
    except (_NETWORK_ERRORS, OAuthError) as exc:
        raise errors.unreachable(f"the userinfo endpoint failed: {exc!r}") from None
    if info.get("sub") != token["userinfo"].get("sub"):
        raise errors.untrusted_token("the userinfo endpoint answered for another subject")
    return info


def end_session_url(id_token: str | None, return_to: str) -> str | None:
    """Where to send the browser so the provider ends its session too, then back to
    `return_to`; None without a provider session (`id_token`) or an end-session endpoint."""
    sso = settings()
    if sso is None or not id_token:
        return None
    try:
        metadata = _metadata(sso)
    except errors.SsoFailure as failure:
        log.warning("Single sign-out skipped: %s", failure.log_detail)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    logout = _provider(sso).create_logout_url(
        post_logout_redirect_uri=return_to, id_token_hint=id_token, client_id=sso.client_id
    )
    return logout["url"]
