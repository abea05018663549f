"""What the identity provider's groups say about a person: their role and their teams."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping


def groups_from_claim(value: object) -> list[str] | None:
    """The group names in a groups claim, sorted; None when the claim is absent or unreadable.

    Providers send a list of strings; a few send one string for a single group. Absent and
    empty differ: an empty list means "in no group", absent means "the provider did not say".
    """
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return sorted({item.strip() for item in value if item.strip()})


def role_from_groups(
    groups: Iterable[str], admin_groups: Collection[str], manager_groups: Collection[str]
) -> str:
    """admin if any group is an admin group, else manager if any is a manager group, else viewer."""
    groups = set(groups)
    if groups & set(admin_groups):
        return "admin"
    if groups & set(manager_groups):
        return "manager"
    return "viewer"


def team_slugs_from_groups(groups: Iterable[str], prefix: str) -> list[str]:
    """The team slugs named by groups that start with `prefix` (case-insensitively), sorted.

    With prefix "avail-team-", group "avail-team-payments" names team "payments". A group that
    is exactly the prefix names no team.
    """
    prefix = prefix.lower()
    return sorted(
        {
            group.lower()[len(prefix) :].strip()
            for group in groups
            if group.lower().startswith(prefix) and group[len(prefix) :].strip()
        }
    )


def unknown_team_slugs(
    groups_by_person: Mapping[str, list[str] | None], prefix: str, known_slugs: Collection[str]
) -> dict[str, list[str]]:
    """Team slugs that people's groups name but no team has, each with those people (sorted).

    `groups_by_person` maps a person (e.g. their email) to the groups they last signed in with.
    """
    known = set(known_slugs)
    unknown: dict[str, list[str]] = {}
    for person, groups in sorted(groups_by_person.items()):
        for slug in team_slugs_from_groups(groups or [], prefix):
            if slug not in known:
                unknown.setdefault(slug, []).append(person)
    return dict(sorted(unknown.items()))
