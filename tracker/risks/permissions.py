"""Who may do what with a risk. Checked on the server for every page, form and API call."""

from __future__ import annotations

from tracker.models import Risk, Team, User


def team_ids(user: User) -> set[int]:
    return {team.id for team in user.teams}


def can_create_risks(user: User) -> bool:
    """Admins, and managers who belong to at least one team."""
    return user.role == "admin" or (user.role == "manager" and bool(user.teams))


def can_create_in(user: User, team: Team) -> bool:
    return user.role == "admin" or (user.role == "manager" and team.id in team_ids(user))


def can_edit(user: User, risk: Risk) -> bool:
    """Admins edit every risk; managers the risks of their own teams; viewers none."""
    if user.role == "admin":
        return True
    return user.role == "manager" and risk.team_id in team_ids(user)


def can_approve_acceptance(user: User | None) -> bool:
    """Accepting a risk needs an approver who is an active admin or manager."""
    return user is not None and user.active and user.role in ("admin", "manager")


def can_archive(user: User) -> bool:
    return user.role == "admin"


def refusal(user: User, team: Team, item: str) -> str:
    """Why `user` may not change `item` (a risk or mitigation of `team`) and who can: the
    words of the 403 page and of the API's problem."""
    managers = sorted(m.display_name for m in team.members if m.role == "manager" and m.active)
    if managers:
        who = f"its managers ({', '.join(managers)}) or an admin"
    else:
        who = "an admin (the team has no manager yet)"
    because = "Viewers read the register but change nothing. " if user.role == "viewer" else ""
    return f"{because}{item} belongs to the {team.name} team: {who} can change it."


def editable_teams(user: User, all_teams: list[Team]) -> list[Team]:
    """The teams a user may own risks for: all for admins, their own for managers."""
    if user.role == "admin":
        return all_teams
    if user.role == "manager":
        return [team for team in all_teams if team.id in team_ids(user)]
    return []
