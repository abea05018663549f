"""Incidents: what did hurt availability, the risks they materialised and their follow-ups."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The incident pages, with every view attached."""
    from tracker.incidents import actions, import_views, routes  # noqa: F401 (add views to bp)
    from tracker.incidents.blueprint import bp

    return [bp]
