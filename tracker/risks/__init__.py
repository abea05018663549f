"""The risk register: pages, actions, import and export, history."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The register and risk pages, with every view attached."""
    from tracker.risks import actions, import_views, routes  # noqa: F401 (they add views to bp)
    from tracker.risks.blueprint import bp

    return [bp]
