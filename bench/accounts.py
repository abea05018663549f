"""The accounts the bench suite seeds and signs in with (all share one password)."""

from __future__ import annotations

from collections.abc import Iterator

PASSWORD = "bench password, not for production"  # noqa: S105 (a throw-away bench database)
ADMIN = "admin@bench.example"
LOAD_USERS = 32


def everyone(teams: int) -> Iterator[tuple[str, str, str, int | None]]:
    """(email, name, role, team id or None): the admin (a member of the largest team, so My
    teams shows its work), a manager and a viewer per team, and the load run's users:
    managers of the eight largest teams (they read My teams and write to their risks)."""
    yield ADMIN, "Bench Admin", "admin", 1
    for team in range(1, teams + 1):
        yield f"manager-{team:02d}@bench.example", f"Manager {team:02d}", "manager", team
        yield f"viewer-{team:02d}@bench.example", f"Viewer {team:02d}", "viewer", None
    for number in range(1, LOAD_USERS + 1):
        yield load_user(number), f"Load {number:02d}", "manager", (number - 1) % 8 + 1


def load_user(number: int) -> str:
    return f"load-{number:02d}@bench.example"
