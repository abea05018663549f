"""A local OpenID provider for the tests: discovery, authorization, token, JWKS, userinfo and
end-session endpoints over HTTP on 127.0.0.1, as Okta or Keycloak answer them.

It checks what a provider checks (the client's id and secret, the redirect URI, PKCE S256, a
code used once) and signs ID tokens with an RSA key it publishes. Tests set each person's claims
and can make it misbehave the ways real providers and attackers do: a clock that is off, a token
signed by a key it does not publish, a nonce other than the one asked for.

    provider = OidcProvider().start()
    provider.set_user("00u1", email="ada@example.com", groups=["avail-admins"])
    callback_url = provider.approve(authorize_url, "00u1")   # what the browser would follow
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from flask import Flask, abort, jsonify, redirect, render_template_string, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

KEY_ID = "provider-key-1"
CLIENT_ID = "risk-tracker"
CLIENT_SECRET = "risk-tracker-client-secret"

AUTHORIZE_PAGE = """<!doctype html>
<title>Test provider: sign in</title>
<h1>Test provider</h1>
<form method="post">
  <label>Subject <input name="sub" value=""></label>
  <button name="action" value="approve">Approve</button>
  <button name="action" value="deny">Cancel</button>
</form>
"""


@cache
def signing_key(name: str) -> RSAKey:
    """An RSA key per name, made once per test run (generating one takes a moment)."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcProvider:
    """An OpenID provider on 127.0.0.1 and a free port; `issuer` is its URL."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client_id = client_id
        self.client_secret = client_secret
        self.users: dict[str, dict[str, Any]] = {}
        # How far the provider's clock is from the real one, in seconds.
        self.clock_offset = 0
        # Sign ID tokens with a key of the same id that the JWKS does not publish.
        self.sign_with_unpublished_key = False
        # Put this nonce in ID tokens instead of the one the authorization request asked for.
        self.nonce_override: str | None = None
        # Leave the email out of the ID token (it stays at the userinfo endpoint).
        self.email_only_at_userinfo = False
        self.offers_end_session = True
        self.authorization_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.end_session_requests: list[dict[str, str]] = []
        self.errors: list[str] = []
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app()

    # Running -----------------------------------------------------------------------------

    def start(self) -> OidcProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    # What tests set and do ------------------------------------------------------------------

    def set_user(self, sub: str, **claims: Any) -> None:
        """The claims the provider states for subject `sub` (email, name, groups, …)."""
        with self._lock:
            self.users[sub] = claims

    def approve(self, authorize_url: str, sub: str, action: str = "approve") -> str:
        """Sign in as `sub` at the authorization URL, as a person would; returns where the
        provider sends the browser back (the app's callback URL)."""
        response = requests.post(
            authorize_url, data={"sub": sub, "action": action}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    # The protocol ---------------------------------------------------------------------------

    def _now(self) -> int:
        return int(time.time()) + self.clock_offset

    def _id_token(self, grant: dict[str, Any], access_token: str) -> str:
        claims = dict(self.users.get(grant["sub"], {}))
        if self.email_only_at_userinfo:
            claims.pop("email", None)
            claims.pop("email_verified", None)
        now = self._now()
        claims.update(
            iss=self.issuer,
            sub=grant["sub"],
            aud=self.client_id,
            iat=now,
            exp=now + 300,
            auth_time=now,
            nonce=self.nonce_override or grant["nonce"],
        )
        key = signing_key("unpublished" if self.sign_with_unpublished_key else "published")
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)

    def _client_authenticated(self) -> bool:
        auth = request.authorization
        if auth is not None:
            return auth.username == self.client_id and auth.password == self.client_secret
        return (
            request.form.get("client_id") == self.client_id
            and request.form.get("client_secret") == self.client_secret
        )

    def _token_error(self, error: str, status: int = 400):
        return jsonify(error=error, error_description=f"test provider: {error}"), status

    def _exchange_code(self):
        form = request.form.to_dict()
        self.token_requests.append(form)
        if not self._client_authenticated():
            return self._token_error("invalid_client", 401)
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None:
            return self._token_error("invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._token_error("invalid_grant")
        if _s256(form.get("code_verifier", "")) != grant["code_challenge"]:
            return self._token_error("invalid_grant")
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant["sub"]
        return jsonify(
            access_token=access_token,
            token_type="Bearer",
            expires_in=300,
            scope=grant["scope"],
            id_token=self._id_token(grant, access_token),
        )

    def _authorize(self):
        args = request.args.to_dict()
        if request.method == "GET":
            self.authorization_requests.append(args)
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            abort(400)
        if "openid" not in args.get("scope", "").split() or not args.get("redirect_uri"):
            abort(400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            abort(400)
        if request.method == "GET":
            return render_template_string(AUTHORIZE_PAGE)
        back = {"state": args.get("state", "")}
        if request.form.get("action") == "deny":
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {
                    "sub": request.form["sub"],
                    "nonce": args.get("nonce"),
                    "redirect_uri": args["redirect_uri"],
                    "code_challenge": args["code_challenge"],
                    "scope": args["scope"],
                }
            back["code"] = code
        separator = "&" if urlsplit(args["redirect_uri"]).query else "?"
        return redirect(args["redirect_uri"] + separator + urlencode(back))

    def _userinfo(self):
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        sub = self._access_tokens.get(token)
        if sub is None:
            abort(401)
        return jsonify(sub=sub, **self.users.get(sub, {}))

    def _end_session(self):
        args = request.args.to_dict()
        self.end_session_requests.append(args)
        if args.get("post_logout_redirect_uri"):
            return redirect(args["post_logout_redirect_uri"])
        return "Signed out of the test provider."

    def _discovery(self) -> dict[str, Any]:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
        }
        if self.offers_end_session:
            document["end_session_endpoint"] = f"{self.issuer}/end-session"
        return document

    def _build_app(self) -> Flask:
        app = Flask("test_oidc_provider")
        app.add_url_rule(
            "/.well-known/openid-configuration", "discovery", lambda: jsonify(self._discovery())
        )
        app.add_url_rule(
            "/jwks",
            "jwks",
            lambda: jsonify(keys=[signing_key("published").as_dict(private=False)]),
        )
        app.add_url_rule("/authorize", "authorize", self._authorize, methods=["GET", "POST"])
        app.add_url_rule("/token", "token", self._exchange_code, methods=["POST"])
        app.add_url_rule("/userinfo", "userinfo", self._userinfo)
        app.add_url_rule("/end-session", "end_session", self._end_session)

        @app.errorhandler(Exception)
        def remember(error):
            if getattr(error, "code", None) is None:
                self.errors.append(repr(error))
                return "test provider failed", 500
            return error

        return app
