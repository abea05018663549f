"""Mitigations: pages on a risk, My teams, the overdue list."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The mitigation pages and My teams, with every view attached."""
    from tracker.mitigations import csv_views, my_teams  # noqa: F401 (add views to the blueprint)
    from tracker.mitigations.routes import bp

    return [bp]
