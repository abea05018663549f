"""The JSON API (/api/v1), its OpenAPI document, and personal API tokens."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The API and the personal-token pages, with every view attached."""
    from tracker.api.account import bp as tokens_bp
    from tracker.api.routes import bp as api_bp

    return [api_bp, tokens_bp]
