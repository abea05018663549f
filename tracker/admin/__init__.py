"""Administration: users, teams and risk categories."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The area's blueprints with every view attached (imported here, not at package import)."""
    from tracker.admin import categories  # noqa: F401 (adds views to the admin blueprint)
    from tracker.admin.routes import bp

    return [bp]
