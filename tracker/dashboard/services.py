"""Everything the dashboard shows, for one team or everyone (the page and the API share it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from tracker import clock, figures_cache
from tracker.dashboard import panels, ranking, trends
from tracker.incidents import attention as incident_attention
from tracker.incidents.budget import SpentBudget, spent_budget
from tracker.jira import queries as jira_queries
from tracker.models import SyncRun, Team, WeeklySnapshot
from tracker.risks import settings as scoring_settings
from tracker.risks.settings import ScoringSettings


@dataclass
class SyncState:
    last: SyncRun | None
    last_success: SyncRun | None
    stale: bool
    max_age_hours: int


@dataclass
class Dashboard:
    team: Team | None
    settings: ScoringSettings
    top: list[ranking.RankedRisk]
    heat_inherent: panels.HeatMap
    heat_residual: panels.HeatMap
    budget: panels.Budget
    attention: dict[str, panels.Listing]
    drift: dict[str, int]
    sync: SyncState | None
    teams: list[panels.TeamRow]
    trend: list[WeeklySnapshot]
    due_soon_days: int
    # The error budget incidents spent, and what incidents put on the attention lists.
    spent: SpentBudget
    incident_attention: dict[str, incident_attention.Listing]


def sync_state() -> SyncState | None:
    """The last sync and whether the last good one is too old; None without Jira."""
    config = current_app.config
    if not config.get("JIRA_URL"):
        return None
    max_age = int(config.get("JIRA_SYNC_MAX_AGE_HOURS", 24))
    success = jira_queries.last_successful_run()
    stale = success is None or success.started_at < clock.now() - timedelta(hours=max_age)
    return SyncState(jira_queries.last_run(), success, stale, max_age)


def figures(team: Team | None = None) -> Dashboard:
    """The dashboard of `team` (None: everyone), from the cache while the register has not
    changed since it was computed — the page and the API read it here.

    Some figures depend on the clock to the minute (the last sync's age, slips in the last 30
    days, and everything dated by today), so the key holds the minute: a room of readers
    costs one computation per change to the register and per minute.
    """
    minute = clock.now().strftime("%Y-%m-%dT%H:%M")
    scope = team.id if team else "all"
    return figures_cache.cache().figures("dashboard", (scope, minute), lambda: build(team))


def build(team: Team | None = None) -> Dashboard:
    """The whole dashboard in a constant number of queries, whatever the register's size.

    Everything it returns must be loaded before it returns (figures() caches a pickled copy,
    detached from any database session): load relationships eagerly in the panels' queries.
    """
    settings = scoring_settings.current()
    today, now = clock.today(), clock.now()
    window = current_app.config["DUE_SOON_DAYS"]
    team_id = team.id if team else None
    # First: storing this week's figures commits, which would expire everything loaded before.
    trend = trends.refresh_and_read(settings, team.slug if team else "", team_id)
    return Dashboard(
        team=team,
        settings=settings,
        top=ranking.top_risks(settings, today, team_id),
        heat_inherent=panels.heat_map(team_id),
        heat_residual=panels.heat_map(team_id, residual=True),
        budget=panels.budget(settings, team_id),
        attention=panels.attention(today, window, team_id),
        drift=panels.drift_counts(team_id),
        sync=sync_state(),
        teams=panels.by_team(settings, today, now),
        trend=trend,
        due_soon_days=window,
        spent=spent_budget(team_id, now, settings.slo),
        incident_attention={
            "estimate_too_low": incident_attention.estimate_too_low(team_id, now),
            **incident_attention.incident_lists(team_id, now, today),
        },
    )
