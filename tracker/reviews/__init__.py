"""Weekly reviews: frozen snapshots, decisions, exports."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The review pages."""
    from tracker.reviews.routes import bp

    return [bp]
