"""Security defaults that apply to every request."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix


def is_safe_next_url(target: str | None) -> bool:
    """True for a path on this site; False for anything that could leave it.

    Browsers treat `//host`, `/\\host` and `\\\\host` as other hosts, so only a single leading
    slash followed by a non-slash is accepted, with no scheme or host.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class PerRequestSecureSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return bool(request) and request.is_secure


def public(view):
    """Mark a view as reachable without signing in; every other view requires it."""
    view.is_public = True
    return view


def roles_required(*roles: str):
    """Allow the decorated view only to signed-in users with one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                allowed = " or ".join(f"an {r}" if r[0] in "aeiou" else f"a {r}" for r in roles)
                abort(
                    403,
                    f"Only {allowed} can use this page; you are signed in as a "
                    f"{current_user.role}.",
                )
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _require_login():
    # No endpoint means a 404 or 405 is coming, which reveals nothing.
    if request.endpoint in (None, "static") or current_user.is_authenticated:
        return None
    if getattr(current_app.view_functions[request.endpoint], "is_public", False):
        return None
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    """Install the secure session cookie, proxy trust and sign-in-by-default."""
    app.session_interface = PerRequestSecureSessionInterface()
    if app.config["PROXY_COUNT"]:
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(_require_login)
