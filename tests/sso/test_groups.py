"""The provider's groups decide role and teams at every sign-in, recorded in the history."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import User, UserEvent


def the_user(sub: str = "00u-ada") -> User:
    return db.session.scalar(sa.select(User).where(User.oidc_subject == sub))


def history(user: User) -> list[tuple[str, str | None, str | None, bool]]:
    events = db.session.scalars(
        sa.select(UserEvent).where(UserEvent.user_id == user.id).order_by(UserEvent.id)
    )
    return [(e.field, e.old_value, e.new_value, e.by_provider) for e in events]


def sign_in_again(sso_client, sso, **claims):
    sso_client.client.post("/logout")
    sso.set_user("00u-ada", email="ada@example.com", **claims)
    return sso_client.sign_in("00u-ada")


def test_first_sign_in_takes_role_and_teams_from_groups(sso_client, sso, factory):
    factory.team("payments", "Payments")
    factory.team("search", "Search")
    sso.set_user(
        "00u-ada",
        email="ada@example.com",
        groups=["eng-managers", "avail-team-payments", "avail-team-Search", "everyone"],
    )

    sso_client.sign_in("00u-ada")

    user = the_user()
    assert user.role == "manager"
    assert [team.slug for team in user.teams] == ["payments", "search"]
    assert user.oidc_groups == [
        "avail-team-Search",
        "avail-team-payments",
        "eng-managers",
        "everyone",
    ]
    assert history(user) == [
        ("account", None, "created at first sign-in", True),
        ("role", "viewer", "manager", True),
        ("teams", "", "payments, search", True),
    ]


def test_group_changes_move_role_and_teams_at_the_next_sign_in(sso_client, sso, factory):
    factory.team("payments", "Payments")
    factory.team("search", "Search")
    sso.set_user("00u-ada", email="ada@example.com", groups=["avail-admins", "avail-team-payments"])
    sso_client.sign_in("00u-ada")
    assert the_user().role == "admin"

    sign_in_again(sso_client, sso, groups=["avail-team-search"])

    user = the_user()
    assert user.role == "viewer"
    assert [team.slug for team in user.teams] == ["search"]
    assert history(user)[-2:] == [
        ("role", "admin", "viewer", True),
        ("teams", "payments", "search", True),
    ]


def test_leaving_every_group_leaves_every_team(sso_client, sso, factory):
    factory.team("payments", "Payments")
    sso.set_user("00u-ada", email="ada@example.com", groups=["avail-team-payments"])
    sso_client.sign_in("00u-ada")

    sign_in_again(sso_client, sso, groups=[])

    assert the_user().teams == []
    assert the_user().oidc_groups == []


def test_a_sign_in_without_the_groups_claim_changes_nothing(sso_client, sso, factory, caplog):
    """Absent is not empty: a provider that stops sending groups does not demote everyone."""
    factory.team("payments", "Payments")
    sso.set_user("00u-ada", email="ada@example.com", groups=["avail-admins", "avail-team-payments"])
    sso_client.sign_in("00u-ada")

    sign_in_again(sso_client, sso)

    user = the_user()
    assert (user.role, [t.slug for t in user.teams]) == ("admin", ["payments"])
    assert "no 'groups' claim" in caplog.text


def test_groups_naming_unknown_teams_are_reported_not_created(sso_client, sso, factory, caplog):
    factory.team("payments", "Payments")
    sso.set_user(
        "00u-ada", email="ada@example.com", groups=["avail-team-payments", "avail-team-ghosts"]
    )

    response = sso_client.sign_in("00u-ada")

    assert [team.slug for team in the_user().teams] == ["payments"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("teams"))) == 1
    assert "names team 'ghosts'" in caplog.text
    page = sso_client.client.get(response.location).get_data(as_text=True)
    assert "teams the tracker does not have (ghosts)" in page


def test_a_role_overridden_by_an_admin_is_kept_until_cleared(sso_client, sso):
    sso.set_user("00u-ada", email="ada@example.com", groups=["avail-admins"])
    sso_client.sign_in("00u-ada")
    user = the_user()
    user.role, user.role_overridden = "manager", True
    db.session.commit()

    sign_in_again(sso_client, sso, groups=["avail-admins"])
    assert the_user().role == "manager"

    user = the_user()
    user.role_overridden = False
    db.session.commit()
    sign_in_again(sso_client, sso, groups=["avail-admins"])
    assert the_user().role == "admin"


def test_without_group_settings_roles_and_teams_stay_with_the_admins(sso_client, sso, app):
    app.config.update(OIDC_ADMIN_GROUPS=None, OIDC_MANAGER_GROUPS=None, OIDC_TEAM_GROUP_PREFIX=None)
    sso.set_user("00u-ada", email="ada@example.com", groups=["avail-admins", "avail-team-x"])
    sso_client.sign_in("00u-ada")
    user = the_user()
    user.role = "manager"
    db.session.commit()

    sign_in_again(sso_client, sso, groups=["avail-admins"])

    assert the_user().role == "manager"
    assert the_user().oidc_groups == ["avail-admins"]
