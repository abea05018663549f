"""Who receives a digest and what it holds: per team, the overdue and due-soon mitigations, the
top risks, and the risks that need attention — the dashboard's panels for that team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.dashboard import panels, ranking
from tracker.domain.delivery import Figures, Quarter
from tracker.extensions import db
from tracker.incidents import queries as incident_queries
from tracker.models import Team, User
from tracker.risks import settings as scoring_settings
from tracker.risks.settings import ScoringSettings
from tracker.roadmap import summary

# Managers run their teams' work; an admin who is a member of a team gets that team's digest
# too. Viewers and people in no team get none.
RECIPIENT_ROLES = ("manager", "admin")
TOP_RISKS = 5
# The dashboard's risk lists a manager should act on, in this order.
# The digest covers a week: incidents started or recorded in the last seven days are new.
NEW_INCIDENT_DAYS = 7
RISK_ATTENTION = ("review_overdue", "acceptance_expiring", "rescore", "no_owner", "no_mitigation")


@dataclass(frozen=True)
class TeamSection:
    team: Team
    overdue: panels.Listing
    due_soon: panels.Listing
    blocked: panels.Listing
    top: list[ranking.RankedRisk]
    attention: dict[str, panels.Listing]
    # The current quarter and the team's delivery in it (tracker.domain.delivery).
    delivery: tuple[Quarter, Figures]
    # The team's incidents of the last NEW_INCIDENT_DAYS, and the open follow-ups it works on.
    incidents: panels.Listing
    follow_ups: panels.Listing

    @property
    def is_quiet(self) -> bool:
        return not (
            self.overdue.count
            or self.due_soon.count
            or self.blocked.count
            or self.top
            or self.incidents.count
            or self.follow_ups.count
        )


@dataclass(frozen=True)
class Digest:
    recipient: User
    sections: list[TeamSection]
    today: date
    due_soon_days: int
    settings: ScoringSettings


def recipients(team: Team | None = None) -> list[User]:
    """Active managers (and admins) who are members of a team — of `team` when given."""
    in_team = User.teams.any(Team.id == team.id) if team else User.teams.any()
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active, User.role.in_(RECIPIENT_ROLES), in_team)
            .options(selectinload(User.teams))
            .order_by(User.display_name, User.email)
        )
    )


def team_section(team: Team, settings: ScoringSettings, today: date, window: int) -> TeamSection:
    """One team's part of a digest, from the same queries as the dashboard filtered by team."""
    lists = panels.attention(today, window, team.id)
    return TeamSection(
        team=team,
        overdue=lists["overdue"],
        due_soon=lists["due_soon"],
        blocked=lists["blocked"],
        top=ranking.top_risks(settings, today, team.id, limit=TOP_RISKS),
        attention={name: lists[name] for name in RISK_ATTENTION if lists[name].count},
        delivery=summary.team_figures(team, today),
        incidents=panels.Listing(
            *incident_queries.new_incidents(
                team.id, clock.now() - timedelta(days=NEW_INCIDENT_DAYS), panels.LIST_LIMIT
            )
        ),
        follow_ups=panels.Listing(*incident_queries.open_follow_ups(team.id, panels.LIST_LIMIT)),
    )


def build(team: Team | None = None) -> list[Digest]:
    """One digest per recipient, each covering their teams (only `team` when given). Each
    team's section is computed once, however many managers it has."""
    settings = scoring_settings.current()
    today, window = clock.today(), current_app.config["DUE_SOON_DAYS"]
    sections: dict[int, TeamSection] = {}

    def section(t: Team) -> TeamSection:
        if t.id not in sections:
            sections[t.id] = team_section(t, settings, today, window)
        return sections[t.id]

    return [
        Digest(
            user, [section(t) for t in ([team] if team else user.teams)], today, window, settings
        )
        for user in recipients(team)
    ]
