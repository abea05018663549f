"""The /api/v1 blueprint: bearer-token authentication, no CSRF, problem JSON for errors.

Its views skip the sign-in-by-session check (tracker.security) because they authenticate
every request by its token instead; a browser's session cookie authenticates nothing here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, g, request

from tracker.api import problems, requests, tokens
from tracker.extensions import csrf
from tracker.models import User
from tracker.security import public


class TokenAuthBlueprint(Blueprint):
    """A blueprint whose views are public to the session check: the token check below
    protects them instead, views added later (the dashboard) included."""

    def add_url_rule(self, rule, endpoint=None, view_func=None, **options):
        if view_func is not None:
            public(view_func)
        super().add_url_rule(rule, endpoint, view_func, **options)


bp = TokenAuthBlueprint("api", __name__, url_prefix="/api/v1")
# Requests carry a bearer token, which a cross-site form cannot add.
csrf.exempt(bp)
problems.register(bp)


def no_token(view: Callable) -> Callable:
    """Let the view answer without a token (the OpenAPI document)."""
    view.token_optional = True
    return view


@bp.before_request
def authenticate() -> None:
    """Find the user of the request's bearer token, or answer 401."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "token_optional", False):
        return
    user = tokens.authenticate(requests.bearer_token(request))
    if user is None:
        raise requests.unauthorised()
    g.api_user = user


def api_user() -> User:
    """The user the request's token acts for."""
    return g.api_user
