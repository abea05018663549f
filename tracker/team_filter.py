"""The `?team=<slug>` filter that narrows the dashboard, reviews, drift and My teams."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import request

from tracker.extensions import db
from tracker.models import Team


def requested_slug(args: Mapping[str, str] | None = None) -> str:
    """The team slug the query string asks for, normalised ('' when none)."""
    args = request.args if args is None else args
    return (args.get("team") or "").strip().lower()


@dataclass(frozen=True)
class TeamFilter:
    """What `?team=` asked for and the team it names, if any."""

    slug: str
    team: Team | None

    @property
    def unknown(self) -> bool:
        """A slug was given but names no team (pages say so rather than filter silently)."""
        return bool(self.slug) and self.team is None


def requested_team(args: Mapping[str, str] | None = None) -> TeamFilter:
    """The team named by `?team=<slug>` in this request (or `args`); one query when given."""
    slug = requested_slug(args)
    team = db.session.scalar(db.select(Team).filter_by(slug=slug)) if slug else None
    return TeamFilter(slug, team)
