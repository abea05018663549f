"""Signing in and out, sessions, the sign-in throttle."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The sign-in pages."""
    from tracker.auth.routes import bp

    return [bp]
