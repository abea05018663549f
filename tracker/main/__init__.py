"""The health check."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The health check."""
    from tracker.main.routes import bp

    return [bp]
