"""Single sign-on with OpenID Connect: settings, the provider client, and who signs in."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """Signing in through the provider."""
    from tracker.sso.routes import bp

    return [bp]
