"""The dashboard: ranking, heat maps, budget, attention lists, teams, trends."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The dashboard page."""
    from tracker.dashboard.routes import bp

    return [bp]
