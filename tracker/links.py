"""Full addresses of the tracker's pages, for what leaves the browser (emails from cron).

Outside a request Flask cannot know the address people open the tracker at; PUBLIC_URL says it
(e.g. https://risks.example.com, or https://intranet.example.com/risks behind a path prefix).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url_problem(value: str | None) -> str | None:
    """Say what is wrong with a PUBLIC_URL setting, or None when it is unset or usable."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return (
            "PUBLIC_URL must be the address people open the tracker at, such as "
            f"https://risks.example.com, got {value!r}."
        )
    return None


def external_url(endpoint: str, **values) -> str | None:
    """The full address of a page under PUBLIC_URL, or None when PUBLIC_URL is not set."""
    public_url = current_app.config.get("PUBLIC_URL")
    if not public_url:
        return None
    parts = urlsplit(public_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
