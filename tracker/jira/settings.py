"""Jira connection settings, read from the app configuration (itself from the environment)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.domain.jira_mapping import DEFAULT_WONT_DO_RESOLUTIONS
from tracker.jira.incident_settings import IncidentPull, incident_pull


class JiraNotConfigured(Exception):
    """JIRA_URL or the credentials are missing; the message says which variables to set."""


@dataclass(frozen=True)
class JiraSettings:
    url: str
    user: str | None = None
    token: str | None = field(default=None, repr=False)
    pat: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    project: str | None = None
    issue_type: str = "Task"
    batch_size: int = 100
    max_retries: int = 3
    max_retry_delay: float = 30.0
    wont_do: frozenset[str] = DEFAULT_WONT_DO_RESOLUTIONS
    lock_seconds: int = 600
    # What the sync reads as incidents (JIRA_INCIDENT_JQL), or None.
    incidents: IncidentPull | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> JiraSettings:
        """The settings in force; raises JiraNotConfigured when Jira cannot be reached as set."""
        url = (config.get("JIRA_URL") or "").strip().rstrip("/")
        if not url:
            raise JiraNotConfigured("Jira is not configured: set JIRA_URL.")
        if not url.startswith(("https://", "http://")):
            raise JiraNotConfigured("JIRA_URL must start with https:// (or http://).")
        user, token, pat = config.get("JIRA_USER"), config.get("JIRA_TOKEN"), config.get("JIRA_PAT")
        if not pat and not (user and token):
            raise JiraNotConfigured(
                "Jira credentials are missing: set JIRA_USER and JIRA_TOKEN (Cloud: your email "
                "and an API token) or JIRA_PAT (Data Center personal access token)."
            )
        wont_do = config.get("JIRA_WONT_DO_RESOLUTIONS")
        return cls(
            url=url,
            user=user,
            token=token,
            pat=pat,
            timeout=float(config.get("JIRA_TIMEOUT", 30)),
            project=config.get("JIRA_PROJECT"),
            issue_type=config.get("JIRA_ISSUE_TYPE") or "Task",
            batch_size=int(config.get("JIRA_BATCH_SIZE", 100)),
            max_retries=int(config.get("JIRA_MAX_RETRIES", 3)),
            max_retry_delay=float(config.get("JIRA_MAX_RETRY_DELAY", 30)),
            wont_do=frozenset(n.strip().lower() for n in wont_do.split(",") if n.strip())
            if wont_do
            else DEFAULT_WONT_DO_RESOLUTIONS,
            lock_seconds=int(config.get("JIRA_LOCK_SECONDS", 600)),
            incidents=_incident_pull(config),
        )

    def browse_url(self, key: str) -> str:
        return f"{self.url}/browse/{key}"


def _incident_pull(config: Mapping) -> IncidentPull | None:
    # Checked at start-up already; a setting changed since is refused here the same way.
    try:
        return incident_pull(config)
    except ValueError as exc:
        raise JiraNotConfigured(f"{exc}.") from None


def browse_url(config: Mapping, key: str) -> str | None:
    """Link to a ticket in Jira, or None when JIRA_URL is not set."""
    url = (config.get("JIRA_URL") or "").strip().rstrip("/")
    return f"{url}/browse/{key}" if url else None
