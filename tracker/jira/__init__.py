"""Jira: links, ticket creation, drift, and the sync job."""

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """The Jira pages and buttons."""
    from tracker.jira.routes import bp

    return [bp]
