"""The admin pages for single sign-on: how each user signs in, when, their groups, the role
kept by hand, the history, and groups that name teams which do not exist."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import counting_queries
from tracker.extensions import db
from tracker.models import User


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row_of(users_page: str, email: str) -> str:
    """The users table's row for `email`, from the Email cell to the row's end."""
    return users_page.split(f'<td data-label="Email">{email}</td>')[1].split("</tr>")[0]


def signed_in_through_the_provider(sso_client, sso, sub: str, email: str, groups: list[str]):
    sso.set_user(sub, email=email, groups=groups)
    sso_client.sign_in(sub)
    sso_client.client.post("/logout")
    return db.session.scalar(sa.select(User).where(User.oidc_subject == sub))


def test_users_page_shows_how_and_when_each_user_signs_in_and_their_groups(
    admin_client, admin, factory, sso_client, sso
):
    factory.user(email="pw@example.com")
    signed_in_through_the_provider(
        sso_client, sso, "00u-ada", "ada@example.com", ["everyone", "avail-team-ghosts"]
    )

    users = page(admin_client.get("/admin/users"))

    row = row_of(users, "ada@example.com")
    assert ">SSO<" in row
    assert "2026-03-02 09:00 UTC" in row
    assert '<span class="tag">everyone</span>' in row
    pw_row = row_of(users, "pw@example.com")
    assert ">password<" in pw_row
    assert "never" in pw_row
    assert "Groups naming teams that do not exist" in users
    assert "<code>ghosts</code> — named by the groups of ada@example.com" in users


def test_users_page_lists_no_unknown_teams_once_the_team_exists(
    admin_client, admin, factory, sso_client, sso
):
    signed_in_through_the_provider(
        sso_client, sso, "00u-ada", "ada@example.com", ["avail-team-ops"]
    )
    factory.team("ops", "Operations")

    assert "Groups naming teams" not in page(admin_client.get("/admin/users"))


def test_users_page_queries_stay_constant_with_sso_users(
    admin_client, admin, factory, sso_client, sso
):
    signed_in_through_the_provider(sso_client, sso, "00u-1", "one@example.com", ["avail-team-a"])
    admin_client.get("/admin/users")
    with counting_queries() as few:
        page(admin_client.get("/admin/users"))
    for number in range(2, 8):
        signed_in_through_the_provider(
            sso_client, sso, f"00u-{number}", f"u{number}@example.com", [f"avail-team-t{number}"]
        )
    with counting_queries() as many:
        page(admin_client.get("/admin/users"))

    assert len(many) == len(few)


def test_an_admin_keeps_a_role_against_the_groups_until_the_tick_is_cleared(
    admin_client, admin, sso_client, sso
):
    ada = signed_in_through_the_provider(
        sso_client, sso, "00u-ada", "ada@example.com", ["avail-admins"]
    )
    assert "Keep this role" in page(admin_client.get(f"/admin/users/{ada.id}"))

    admin_client.post(
        f"/admin/users/{ada.id}",
        data={
            "display_name": ada.display_name,
            "role": "viewer",
            "active": "y",
            "role_overridden": "y",
        },
    )
    sso_client.sign_in("00u-ada")
    sso_client.client.post("/logout")
    ada = db.session.get(User, ada.id)
    assert (ada.role, ada.role_overridden) == ("viewer", True)
    assert "overridden" in row_of(page(admin_client.get("/admin/users")), "ada@example.com")

    admin_client.post(
        f"/admin/users/{ada.id}",
        data={"display_name": ada.display_name, "role": "viewer", "active": "y"},
    )
    sso_client.sign_in("00u-ada")
    assert db.session.get(User, ada.id).role == "admin"


def test_the_user_page_shows_the_history_by_provider_and_by_admin(
    admin_client, admin, factory, sso_client, sso
):
    factory.team("payments", "Payments")
    ada = signed_in_through_the_provider(
        sso_client, sso, "00u-ada", "ada@example.com", ["eng-managers", "avail-team-payments"]
    )
    admin_client.post(
        f"/admin/users/{ada.id}",
        data={"display_name": ada.display_name, "role": "viewer", "active": "y"},
    )

    history = page(admin_client.get(f"/admin/users/{ada.id}")).split('id="user-history"')[1]

    rows = history.split("<tr>")[2:]
    assert [row.count("the sign-in provider") for row in rows] == [0, 0, 1, 1, 1]
    assert "Ada Admin" in rows[0] and "Ada Admin" in rows[1]
    assert '<td data-label="What">role</td>' in history
    assert "created at first sign-in" in history


def test_without_group_roles_the_override_box_is_not_shown(admin_client, admin, factory):
    user = factory.user()

    assert "Keep this role" not in page(admin_client.get(f"/admin/users/{user.id}"))
