"""The API blueprint with all its views; create_app registers `bp`."""

from tracker.api import (  # noqa: F401
    dashboard,
    error_budget,
    incidents,
    jira_links,
    mitigations,
    reference,
    risks,
    roadmap,
)
from tracker.api.blueprint import bp

__all__ = ["bp"]
