"""One team's part of a review: its risks, the changes that touch it, the decisions on its
risks, and its share of the error budget — read from the frozen review, never recomputed from
the live register.

A change touches a team when its risk belongs to the team or, for a mitigation, when the team
does the work. Reviews frozen before changes carried team slugs are matched by the team's name.
"""

from __future__ import annotations

from dataclasses import replace

from tracker.models import Team
from tracker.reviews import entries
from tracker.reviews.changes import SECTIONS
from tracker.reviews.queries import ReviewView


def _touches(item: dict, team: Team, keys: set[str]) -> bool:
    slugs = {item.get("team_slug"), item.get("risk_team_slug")}
    if team.slug in slugs:
        return True
    if item.get("team_slug") is None:  # frozen before slugs were kept: match what was kept
        return item.get("team") == team.name or item.get("risk_key", item.get("key")) in keys
    return False


def _incidents(frozen: dict, team: Team, keys: set[str]) -> dict:
    """The team's incidents and the follow-ups it works on (or that lower its risks); the
    counts are those of the entries kept, which may be fewer than the whole review's."""
    narrowed = dict(frozen)
    for section in ("new", "follow_ups", "unreviewed"):
        items = [item for item in frozen[section]["items"] if _touches(item, team, keys)]
        narrowed[section] = {"count": len(items), "items": items}
    return narrowed


def _slugless_keys(view: ReviewView) -> set[str]:
    """Keys named by the frozen items that carry no team slug (the only ones matched by key)."""
    items = [item for section in SECTIONS for item in view.changes[section]]
    if view.incidents is not None:
        items += [
            item for s in ("new", "follow_ups", "unreviewed") for item in view.incidents[s]["items"]
        ]
    keys = {
        item.get("risk_key", item.get("key")) for item in items if item.get("team_slug") is None
    }
    return {key for key in keys if key}


def narrow(view: ReviewView, team: Team) -> ReviewView:
    """The review as `team` sees it (its register not yet read: see queries.with_page);
    positions stay those of the whole ranking. A constant number of queries."""
    review_id = view.review.id
    asked = _slugless_keys(view) | {d.risk_key for d in view.decisions}
    keys = entries.keys_of_team(review_id, team.slug, asked)
    budget = entries.team_budget(review_id, team.slug, view.frozen, view.budget["minutes"])
    snapshot = {**view.snapshot, "budget": budget}
    changes = {
        **view.changes,
        **{
            section: [item for item in view.changes[section] if _touches(item, team, keys)]
            for section in SECTIONS
        },
    }
    if view.incidents is not None:
        snapshot["incidents"] = _incidents(view.incidents, team, keys)
    decisions = [d for d in view.decisions if d.risk_key in keys]
    by_risk = {key: found for key, found in view.by_risk.items() if key in keys}
    return replace(
        view,
        snapshot=snapshot,
        changes=changes,
        decisions=decisions,
        by_risk=by_risk,
        team=team,
        register=None,
    )
