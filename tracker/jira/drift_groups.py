"""The Jira drift page's groups: a group per kind of flag, and the incidents corrected here that
Jira says otherwise; each headed by its count, showing its first rows, or one group paged."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.jira_mapping import DRIFT_KINDS
from tracker.jira import queries
from tracker.jira.incident_drift import drifting_count, drifting_incidents
from tracker.paging import Page

# The group of incidents, beside the kinds of flags (a name no flag kind takes).
INCIDENTS = "incidents"
GROUPS = (*DRIFT_KINDS, INCIDENTS)
TITLES = {**DRIFT_KINDS, INCIDENTS: "Incidents corrected here that Jira says otherwise"}

# The overview shows the first rows of each group; a group's own view pages through all of it.
# Both keep the page small whatever the number of flags.
PREVIEW_ROWS = 25
PER_PAGE = 50


@dataclass(frozen=True)
class DriftGroups:
    """What the drift page shows: every group's count, and a Page of each group shown (the
    non-empty ones in the overview; the chosen one alone when `group` is set)."""

    counts: dict[str, int]
    pages: dict[str, Page]
    group: str | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _page_of(group: str, team_slug: str | None, total: int, page: int, per_page: int) -> Page:
    if group == INCIDENTS:
        return drifting_incidents(team_slug, total=total, page=page, per_page=per_page)
    return queries.drift_page(group, team_slug, total=total, page=page, per_page=per_page)


def drift_groups(team_slug: str | None, group: str | None = None, page: int = 1) -> DriftGroups:
    """The counts of every group (two aggregate queries), then one query per group shown: the
    first PREVIEW_ROWS of each non-empty group, or page `page` of `group` (one of GROUPS) by
    PER_PAGE. A constant number of queries whatever the number of flags."""
    counts = queries.drift_counts(team_slug)
    counts[INCIDENTS] = drifting_count(team_slug)
    if group:
        shown, page, per_page = [group], page, PER_PAGE
    else:
        shown, page, per_page = [g for g in GROUPS if counts[g]], 1, PREVIEW_ROWS
    pages = {g: _page_of(g, team_slug, counts[g], page, per_page) for g in shown}
    return DriftGroups(counts=counts, pages=pages, group=group)
