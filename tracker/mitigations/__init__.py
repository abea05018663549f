"""Mitigations: pages on a risk, My teams, the overdue list."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The mitigation pages and My teams, with every view attached."""
    from tracker.mitigations import my_teams  # noqa: F401 (adds views to the blueprint)
    from tracker.mitigations.routes import bp

    return [bp]
