"""The roadmap: open work on a timeline, delivery figures per team, planning input."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The roadmap pages."""
    from tracker.roadmap.routes import bp

    return [bp]
