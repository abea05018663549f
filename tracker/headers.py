"""Security headers on every response: what the browser may load, frame, send and keep.

The Content-Security-Policy allows no inline script and no inline style (templates keep both
in static/; tests/test_headers.py checks that), so injected markup cannot run or restyle a page.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # The favicon and server-drawn charts are files or inline SVG; data: is for small
        # images a stylesheet may embed.
        "img-src 'self' data:",
        # Forms post to this site only: also no redirect of a POST elsewhere (signing out of
        # the identity provider therefore uses a page, see tracker.auth.routes).
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Links to Jira or elsewhere do not carry the tracker's paths (risk keys, filters).
    "Referrer-Policy": "same-origin",
}

# A year, the usual preload minimum; only ever sent over HTTPS, where it is meaningful.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """Add the headers unless a view chose its own value.

    HSTS goes only on answers to HTTPS requests: `request.is_secure` trusts X-Forwarded-Proto
    only when PROXY_COUNT says a proxy is there (tracker.security installs ProxyFix).

    Everything but static files is `Cache-Control: no-store`: the pages are signed-in pages,
    exports and one-time token displays (or the sign-in page), none of which a browser or a
    shared cache should keep.
    """
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
