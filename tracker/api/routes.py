"""The API blueprint with all its views; create_app registers `bp`."""

from tracker.api import dashboard, jira_links, mitigations, reference, risks, roadmap  # noqa: F401
from tracker.api.blueprint import bp

__all__ = ["bp"]
