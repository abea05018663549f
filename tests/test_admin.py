"""Admin pages: who may see them, creating and editing users and teams, CSRF, query counts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests.factories import DEFAULT_PASSWORD
from tests.helpers import counting_queries
from tracker.extensions import db
from tracker.models import Team, User

NEW_PASSWORD = "a fresh and long passphrase"
LAST_ADMIN = "This is the last active admin; make another user admin first."


# Helpers -----------------------------------------------------------------------------------


def page_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(field_id: str, message: str) -> str:
    """The markup of `message` shown as the error of the field with this id."""
    return f'<p class="error" id="{field_id}-error">{escape(message)}'


def input_value(page: str, name: str) -> str | None:
    """The value attribute of the <input name=...> on the page, None when it has none."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def checked_values(page: str, name: str) -> set[str]:
    tags = re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    return {re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if " checked" in tag}


def selected_option(page: str, select_id: str) -> str:
    select = re.search(rf'<select[^>]*\bid="{select_id}".*?</select>', page, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"', select).group(1)


def user_with_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(email=email))


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def team_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Team))


def db_snapshot() -> dict[str, list]:
    """Every committed row of every table, read on a connection of its own."""
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables
        }


def new_user_data(**overrides) -> dict:
    data = {
        "email": "new@example.com",
        "display_name": "Nora New",
        "role": "manager",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def edit_data(user: User, **overrides) -> dict:
    """The edit form as the page would submit it for `user` unchanged."""
    data = {
        "display_name": user.display_name,
        "role": user.role,
        "teams": [team.slug for team in user.teams],
    }
    if user.active:
        data["active"] = "y"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may use the admin pages ---------------------------------------------------------------


@pytest.fixture
def target(factory):
    """A team with one member, for the URLs that name a user or a team."""
    team = factory.team("ops", "Operations")
    member = factory.user(email="member@example.com", name="Mia Member", teams=[team])
    return {"user_id": member.id, "slug": team.slug}


GET_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user_id}",
    "/admin/teams",
    "/admin/teams/new",
    "/admin/teams/{slug}",
]

# Each with data that would change something if the request were allowed.
POST_ENDPOINTS = [
    ("/admin/users/new", new_user_data()),
    ("/admin/users/{user_id}", {"display_name": "Hacked", "role": "admin", "active": "y"}),
    ("/admin/users/{user_id}/password", {"password": NEW_PASSWORD}),
    ("/admin/teams/new", {"slug": "sneaky", "name": "Sneaky"}),
    ("/admin/teams/{slug}/rename", {"name": "Renamed"}),
    ("/admin/teams/{slug}/members", {"email": "{admin_like_email}"}),
    ("/admin/teams/{slug}/members/{user_id}/remove", {}),
]

NON_ADMIN_CLIENTS = ["manager_client", "viewer_client"]


def fill(template: str, target: dict) -> str:
    return template.format(**target)


@pytest.mark.parametrize("client_name", NON_ADMIN_CLIENTS)
@pytest.mark.parametrize("url", GET_PAGES)
def test_admin_pages_are_forbidden_to_non_admins(request, target, client_name, url):
    client = request.getfixturevalue(client_name)
    assert client.get(fill(url, target)).status_code == 403


@pytest.mark.parametrize("client_name", NON_ADMIN_CLIENTS)
@pytest.mark.parametrize(("url", "data"), POST_ENDPOINTS, ids=[u for u, _ in POST_ENDPOINTS])
def test_admin_posts_are_forbidden_to_non_admins(request, target, client_name, url, data):
    client = request.getfixturevalue(client_name)
    target = {**target, "admin_like_email": "member@example.com"}
    data = {key: fill(value, target) for key, value in data.items()}
    assert client.post(fill(url, target), data=data).status_code == 403


@pytest.mark.parametrize("client_name", NON_ADMIN_CLIENTS)
@pytest.mark.parametrize(("url", "data"), POST_ENDPOINTS, ids=[u for u, _ in POST_ENDPOINTS])
def test_forbidden_admin_posts_change_nothing(request, factory, target, client_name, url, data):
    client = request.getfixturevalue(client_name)
    outsider = factory.user(email="outsider@example.com")
    target = {**target, "admin_like_email": outsider.email}
    data = {key: fill(value, target) for key, value in data.items()}
    before = db_snapshot()
    client.post(fill(url, target), data=data)
    assert db_snapshot() == before


@pytest.mark.parametrize("url", GET_PAGES)
def test_admin_pages_send_anonymous_visitors_to_login(client, target, url):
    path = fill(url, target)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize(("url", "data"), POST_ENDPOINTS, ids=[u for u, _ in POST_ENDPOINTS])
def test_admin_posts_send_anonymous_visitors_to_login(client, target, url, data):
    path = fill(url, target)
    target = {**target, "admin_like_email": "member@example.com"}
    before = db_snapshot()
    response = client.post(path, data={key: fill(value, target) for key, value in data.items()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"
    assert db_snapshot() == before


@pytest.mark.parametrize("url", GET_PAGES)
def test_admin_can_open_every_admin_page(admin_client, target, url):
    assert admin_client.get(fill(url, target)).status_code == 200


@pytest.mark.parametrize("url", ["/admin/users/999999", "/admin/teams/no-such-team"])
def test_unknown_user_or_team_is_not_found(admin_client, url):
    assert admin_client.get(url).status_code == 404


# Listing -----------------------------------------------------------------------------------


def test_users_page_lists_each_user_with_role_teams_and_state(admin_client, admin, factory):
    team = factory.team("payments", "Payments")
    factory.user(email="gone@example.com", name="Gil Gone", teams=[team], active=False)
    page = page_of(admin_client.get("/admin/users"))
    row = re.search(r"<tr class=\"inactive\">.*?</tr>", page, re.S).group(0)
    assert "Gil Gone" in row
    assert "gone@example.com" in row
    assert "role-viewer" in row
    assert 'href="/admin/teams/payments"' in row
    assert "inactive" in row
    assert "Ada Admin" in page


def test_teams_page_lists_each_team_with_how_many_members_it_has(admin_client, factory):
    team = factory.team("payments", "Payments")
    factory.user(name="Pat Payer", teams=[team])
    factory.user(name="Pia Payer", teams=[team])
    factory.team("search", "Search")
    page = page_of(admin_client.get("/admin/teams"))
    rows = re.findall(
        r'"Team"><a href="/admin/teams/(\w+)">.*?"Members" class="num">(\d+)<', page, re.S
    )
    assert rows == [("payments", "2"), ("search", "0")]


def test_users_page_runs_the_same_number_of_queries_for_3_and_30_users(
    admin_client, admin, factory
):
    teams = [factory.team(), factory.team()]
    admin.teams = teams
    db.session.commit()
    for _ in range(2):
        factory.user(teams=teams)
    admin_client.get("/admin/users")  # warm up: connecting is not the page's doing
    with counting_queries() as few:
        assert admin_client.get("/admin/users").status_code == 200
    for _ in range(27):
        factory.user(teams=teams)
    assert user_count() == 30
    with counting_queries() as many:
        assert admin_client.get("/admin/users").status_code == 200
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"


def test_teams_page_runs_the_same_number_of_queries_for_3_and_30_teams(admin_client, factory):
    for _ in range(3):
        factory.user(teams=[factory.team(), factory.team()])
    admin_client.get("/admin/teams")  # warm up: connecting is not the page's doing
    with counting_queries() as few:
        assert admin_client.get("/admin/teams").status_code == 200
    for _ in range(27):
        factory.user(teams=[factory.team(), factory.team()])
    assert team_count() == 60
    with counting_queries() as many:
        assert admin_client.get("/admin/teams").status_code == 200
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"


# Creating users ----------------------------------------------------------------------------


def test_create_user_redirects_to_the_user_list(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"


def test_create_user_stores_role_teams_and_name(admin_client, factory):
    factory.team("ops", "Operations")
    factory.team("payments", "Payments")
    factory.team("search", "Search")
    admin_client.post("/admin/users/new", data=new_user_data(teams=["ops", "payments"]))
    user = user_with_email("new@example.com")
    assert user.role == "manager"
    assert user.display_name == "Nora New"
    assert user.active
    assert sorted(team.slug for team in user.teams) == ["ops", "payments"]


def test_create_user_stores_the_email_lower_cased(admin_client):
    admin_client.post("/admin/users/new", data=new_user_data(email="  Nora@Example.COM "))
    assert user_with_email("nora@example.com") is not None


def test_created_user_can_sign_in_with_the_initial_password(admin_client, auth):
    admin_client.post("/admin/users/new", data=new_user_data())
    assert auth.login(email="new@example.com", password=NEW_PASSWORD).status_code == 302


def test_create_user_with_taken_email_is_refused_next_to_the_email(admin_client, admin):
    response = admin_client.post("/admin/users/new", data=new_user_data(email="ADMIN@example.com"))
    assert response.status_code == 400
    assert field_error("email", "A user with the email admin@example.com already exists.") in (
        page_of(response)
    )


def test_create_user_with_taken_email_creates_nothing(admin_client, admin):
    admin_client.post("/admin/users/new", data=new_user_data(email="admin@example.com"))
    assert user_count() == 1
    assert admin.display_name == "Ada Admin"


def test_create_user_with_taken_email_keeps_what_was_typed(admin_client, admin):
    response = admin_client.post("/admin/users/new", data=new_user_data(email="ADMIN@example.com"))
    page = page_of(response)
    assert input_value(page, "email") == "ADMIN@example.com"
    assert input_value(page, "display_name") == "Nora New"


@pytest.mark.parametrize("password", ["short pass", "passwordpassword", "aaaaaaaaaaaaaaaa"])
def test_create_user_with_weak_password_is_refused_next_to_the_password(admin_client, password):
    response = admin_client.post("/admin/users/new", data=new_user_data(password=password))
    assert response.status_code == 400
    assert '<p class="error" id="password-error">' in page_of(response)
    assert user_count() == 1  # only the signed-in admin


def test_create_user_with_short_password_says_how_long_it_must_be(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_data(password="too short"))
    assert field_error("password", "Use at least 12 characters for the password.") in (
        page_of(response)
    )


def test_create_user_with_weak_password_keeps_the_other_input_but_not_the_password(
    admin_client, factory
):
    factory.team("ops", "Operations")
    factory.team("search", "Search")
    response = admin_client.post(
        "/admin/users/new", data=new_user_data(password="too short", teams=["ops"])
    )
    page = page_of(response)
    assert input_value(page, "email") == "new@example.com"
    assert input_value(page, "display_name") == "Nora New"
    assert selected_option(page, "role") == "manager"
    assert checked_values(page, "teams") == {"ops"}
    assert "too short" not in page


@pytest.mark.parametrize(
    "email", ["not-an-email", "nobody@", "two@@example.com", "a b@example.com"]
)
def test_create_user_with_invalid_email_is_refused_next_to_the_email(admin_client, email):
    response = admin_client.post("/admin/users/new", data=new_user_data(email=email))
    assert response.status_code == 400
    assert field_error("email", "Enter a valid email address") in page_of(response)


def test_create_user_with_invalid_email_keeps_what_was_typed(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_data(email="not-an-email"))
    page = page_of(response)
    assert input_value(page, "email") == "not-an-email"
    assert input_value(page, "display_name") == "Nora New"


def test_create_user_with_invalid_email_creates_nothing(admin_client):
    admin_client.post("/admin/users/new", data=new_user_data(email="not-an-email"))
    assert user_count() == 1  # only the signed-in admin


def test_create_user_without_email_is_refused(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_data(email=""))
    assert response.status_code == 400
    assert field_error("email", "Enter an email.") in page_of(response)
    assert user_count() == 1  # only the signed-in admin


def test_create_user_with_unknown_team_is_refused(admin_client, factory):
    factory.team("ops", "Operations")
    response = admin_client.post("/admin/users/new", data=new_user_data(teams=["ghosts"]))
    assert response.status_code == 400
    assert '<p class="error" id="teams-error">' in page_of(response)
    assert user_count() == 1  # only the signed-in admin


def test_create_user_with_unknown_role_is_refused(admin_client):
    response = admin_client.post("/admin/users/new", data=new_user_data(role="overlord"))
    assert response.status_code == 400
    assert '<p class="error" id="role-error">' in page_of(response)
    assert user_count() == 1  # only the signed-in admin


# Editing users -----------------------------------------------------------------------------


@pytest.fixture
def member(factory):
    ops = factory.team("ops", "Operations")
    factory.team("payments", "Payments")
    return factory.user(email="member@example.com", name="Mia Member", teams=[ops])


def test_edit_page_shows_the_user_as_stored(admin_client, member):
    page = page_of(admin_client.get(f"/admin/users/{member.id}"))
    assert input_value(page, "display_name") == "Mia Member"
    assert selected_option(page, "role") == "viewer"
    assert checked_values(page, "teams") == {"ops"}
    assert checked_values(page, "active") == {"y"}


def test_edit_user_changes_role_name_and_teams(admin_client, member):
    response = admin_client.post(
        f"/admin/users/{member.id}",
        data=edit_data(member, display_name="Mia Manager", role="manager", teams=["payments"]),
    )
    assert response.status_code == 302
    assert member.role == "manager"
    assert member.display_name == "Mia Manager"
    assert [team.slug for team in member.teams] == ["payments"]


def test_edit_user_with_no_teams_ticked_removes_every_team(admin_client, member):
    admin_client.post(f"/admin/users/{member.id}", data=edit_data(member, teams=[]))
    assert member.teams == []


def test_edit_user_unticking_active_deactivates_the_user(admin_client, member):
    admin_client.post(f"/admin/users/{member.id}", data=edit_data(member, active=None))
    assert not member.active


def test_deactivated_user_can_no_longer_sign_in(admin_client, auth, member):
    admin_client.post(f"/admin/users/{member.id}", data=edit_data(member, active=None))
    assert auth.login(email="member@example.com").status_code == 401


def test_deactivating_a_user_ends_their_open_sessions(app, admin_client, member):
    from tests.conftest import signed_in_client

    member_client = signed_in_client(app, member)
    assert member_client.get("/").status_code == 200
    admin_client.post(f"/admin/users/{member.id}", data=edit_data(member, active=None))
    assert member_client.get("/").status_code == 302


def test_reactivated_user_can_sign_in_again(admin_client, auth, factory):
    user = factory.user(email="back@example.com", active=False)
    admin_client.post(f"/admin/users/{user.id}", data=edit_data(user, active="y"))
    assert auth.login(email="back@example.com").status_code == 302


def test_last_admin_cannot_be_demoted(admin_client, admin):
    response = admin_client.post(f"/admin/users/{admin.id}", data=edit_data(admin, role="manager"))
    assert response.status_code == 400
    assert field_error("role", LAST_ADMIN) in page_of(response)
    assert admin.role == "admin"


def test_last_admin_cannot_be_deactivated(admin_client, admin):
    response = admin_client.post(f"/admin/users/{admin.id}", data=edit_data(admin, active=None))
    assert response.status_code == 400
    assert field_error("active", LAST_ADMIN) in page_of(response)
    assert admin.active


def test_refused_last_admin_edit_changes_nothing_else(admin_client, admin, factory):
    factory.team("ops", "Operations")
    before = db_snapshot()
    admin_client.post(
        f"/admin/users/{admin.id}",
        data=edit_data(admin, display_name="Someone Else", role="viewer", teams=["ops"]),
    )
    assert db_snapshot() == before


def test_an_inactive_second_admin_does_not_count_for_the_last_admin_rule(
    admin_client, admin, factory
):
    factory.user(email="old-admin@example.com", role="admin", active=False)
    response = admin_client.post(f"/admin/users/{admin.id}", data=edit_data(admin, role="viewer"))
    assert response.status_code == 400
    assert admin.role == "admin"


def test_a_second_admin_can_be_demoted(admin_client, admin, factory):
    other = factory.user(email="second@example.com", role="admin")
    response = admin_client.post(f"/admin/users/{other.id}", data=edit_data(other, role="viewer"))
    assert response.status_code == 302
    assert other.role == "viewer"


def test_a_second_admin_can_be_deactivated(admin_client, admin, factory):
    other = factory.user(email="second@example.com", role="admin")
    admin_client.post(f"/admin/users/{other.id}", data=edit_data(other, active=None))
    assert not other.active


def test_edit_user_with_blank_name_is_refused_and_keeps_the_name(admin_client, member):
    response = admin_client.post(
        f"/admin/users/{member.id}", data=edit_data(member, display_name="")
    )
    assert response.status_code == 400
    assert field_error("display_name", "Enter a name.") in page_of(response)
    assert member.display_name == "Mia Member"


# Admin resetting a password ----------------------------------------------------------------


def test_admin_reset_password_returns_to_the_user_page(admin_client, member):
    response = admin_client.post(
        f"/admin/users/{member.id}/password", data={"password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{member.id}"


def test_admin_reset_password_lets_the_user_sign_in_with_the_new_one(admin_client, auth, member):
    admin_client.post(f"/admin/users/{member.id}/password", data={"password": NEW_PASSWORD})
    assert auth.login(email="member@example.com", password=NEW_PASSWORD).status_code == 302


def test_admin_reset_password_retires_the_old_one(admin_client, auth, member):
    admin_client.post(f"/admin/users/{member.id}/password", data={"password": NEW_PASSWORD})
    assert auth.login(email="member@example.com", password=DEFAULT_PASSWORD).status_code == 401


def test_admin_reset_password_ends_the_users_open_sessions(app, admin_client, member):
    from tests.conftest import signed_in_client

    member_client = signed_in_client(app, member)
    admin_client.post(f"/admin/users/{member.id}/password", data={"password": NEW_PASSWORD})
    assert member_client.get("/").status_code == 302


def test_admin_reset_password_refuses_a_weak_one_with_a_message(admin_client, member):
    response = admin_client.post(f"/admin/users/{member.id}/password", data={"password": "short"})
    assert response.status_code == 400
    assert field_error("password", "Use at least 12 characters for the password.") in (
        page_of(response)
    )


def test_refused_password_reset_keeps_the_old_password(admin_client, auth, member):
    admin_client.post(f"/admin/users/{member.id}/password", data={"password": "short"})
    assert auth.login(email="member@example.com", password=DEFAULT_PASSWORD).status_code == 302


def test_refused_password_reset_still_shows_the_user_as_stored(admin_client, member):
    response = admin_client.post(f"/admin/users/{member.id}/password", data={"password": "short"})
    page = page_of(response)
    assert input_value(page, "display_name") == "Mia Member"
    assert checked_values(page, "teams") == {"ops"}


def test_admin_reset_password_for_unknown_user_is_not_found(admin_client):
    response = admin_client.post("/admin/users/999999/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 404


# Teams -------------------------------------------------------------------------------------


def test_create_team_goes_to_the_new_team_page(admin_client):
    response = admin_client.post("/admin/teams/new", data={"slug": "payments-sre", "name": "SRE"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/teams/payments-sre"


def test_create_team_stores_slug_and_name(admin_client):
    admin_client.post("/admin/teams/new", data={"slug": " Payments-SRE ", "name": " SRE "})
    team = db.session.scalar(sa.select(Team))
    assert (team.slug, team.name) == ("payments-sre", "SRE")


@pytest.mark.parametrize("slug", ["1abc", "a", "ends-with-", "has space", "under_score", "x" * 65])
def test_create_team_with_bad_slug_is_refused_next_to_the_slug(admin_client, slug):
    response = admin_client.post("/admin/teams/new", data={"slug": slug, "name": "Team"})
    assert response.status_code == 400
    assert '<p class="error" id="slug-error">' in page_of(response)
    assert team_count() == 0


def test_create_team_with_bad_slug_says_what_a_slug_is(admin_client):
    response = admin_client.post("/admin/teams/new", data={"slug": "1abc", "name": "Team"})
    assert field_error("slug", "Use 2 to 64 lower-case letters, digits and hyphens") in (
        page_of(response)
    )


def test_create_team_with_bad_slug_keeps_what_was_typed(admin_client):
    response = admin_client.post("/admin/teams/new", data={"slug": "bad slug", "name": "Bad Team"})
    page = page_of(response)
    assert input_value(page, "slug") == "bad slug"
    assert input_value(page, "name") == "Bad Team"


def test_create_team_with_taken_slug_is_refused_next_to_the_slug(admin_client, factory):
    factory.team("ops", "Operations")
    response = admin_client.post("/admin/teams/new", data={"slug": "OPS", "name": "Other"})
    assert response.status_code == 400
    assert field_error("slug", "A team with the slug ops already exists.") in page_of(response)


def test_create_team_with_taken_slug_creates_nothing(admin_client, factory):
    team = factory.team("ops", "Operations")
    admin_client.post("/admin/teams/new", data={"slug": "ops", "name": "Other"})
    assert team_count() == 1
    assert team.name == "Operations"


def test_create_team_with_taken_slug_keeps_what_was_typed(admin_client, factory):
    factory.team("ops", "Operations")
    response = admin_client.post("/admin/teams/new", data={"slug": "OPS", "name": "Other"})
    page = page_of(response)
    assert input_value(page, "slug") == "OPS"
    assert input_value(page, "name") == "Other"


def test_rename_team_changes_the_name_and_keeps_the_slug(admin_client, factory):
    team = factory.team("ops", "Operations")
    response = admin_client.post("/admin/teams/ops/rename", data={"name": "Site Ops"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/teams/ops"
    assert (team.slug, team.name) == ("ops", "Site Ops")


def test_rename_team_to_blank_is_refused(admin_client, factory):
    team = factory.team("ops", "Operations")
    response = admin_client.post("/admin/teams/ops/rename", data={"name": "   "})
    assert response.status_code == 400
    assert field_error("name", "Enter a name.") in page_of(response)
    assert team.name == "Operations"


def test_team_page_asks_for_the_email_of_the_member_to_add_and_lists_no_users(
    admin_client, factory
):
    factory.team("ops", "Operations")
    factory.user(name="Out Side")
    page = page_of(admin_client.get("/admin/teams/ops"))
    assert '<input aria-describedby="email-help email-error"' in page
    assert "<option" not in page and "Out Side" not in page


def test_add_member_puts_the_user_in_the_team(admin_client, factory, viewer):
    team = factory.team("ops", "Operations")
    response = admin_client.post("/admin/teams/ops/members", data={"email": viewer.email})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/teams/ops"
    assert team.members == [viewer]


def test_add_member_finds_the_email_in_any_case(admin_client, factory, viewer):
    team = factory.team("ops", "Operations")
    admin_client.post("/admin/teams/ops/members", data={"email": f" {viewer.email.upper()} "})
    assert team.members == [viewer]


def test_add_member_twice_keeps_one_membership(admin_client, factory, viewer):
    team = factory.team("ops", "Operations")
    admin_client.post("/admin/teams/ops/members", data={"email": viewer.email})
    admin_client.post("/admin/teams/ops/members", data={"email": viewer.email})
    assert team.members == [viewer]


@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com", ""])
def test_add_unknown_or_inactive_user_to_team_is_refused_keeping_the_input(
    admin_client, factory, email
):
    team = factory.team("ops", "Operations")
    factory.user(email="gone@example.com", active=False)
    response = admin_client.post("/admin/teams/ops/members", data={"email": email})
    page = page_of(response)
    assert response.status_code == 400
    message = "Give the email of the user to add." if not email else "No active user has the email"
    assert 'id="email-error"' in page and message in page
    assert f'value="{email}"' in page or not email
    assert team.members == []


def test_remove_member_takes_the_user_out_of_the_team(admin_client, factory):
    team = factory.team("ops", "Operations")
    leaving = factory.user(teams=[team])
    staying = factory.user(teams=[team])
    response = admin_client.post(
        f"/admin/teams/ops/members/{leaving.id}/remove", data={"confirmed": "yes"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/teams/ops"
    assert team.members == [staying]


def test_remove_member_keeps_the_user(admin_client, factory):
    team = factory.team("ops", "Operations")
    leaving = factory.user(email="leaving@example.com", teams=[team])
    admin_client.post(f"/admin/teams/ops/members/{leaving.id}/remove", data={"confirmed": "yes"})
    assert leaving.active
    assert user_count() == 2  # the admin and the user who left the team


# CSRF --------------------------------------------------------------------------------------


def csrf_token_of(page: str) -> str:
    return input_value(page, "csrf_token")


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_create_user_without_token_is_refused(self, admin_client):
        response = admin_client.post("/admin/users/new", data=new_user_data())
        assert response.status_code == 400
        assert "security token" in page_of(response)

    def test_create_user_without_token_creates_nothing(self, admin_client, admin):
        admin_client.post("/admin/users/new", data=new_user_data())
        assert user_count() == 1

    def test_create_user_with_the_pages_token_is_accepted(self, admin_client, admin):
        token = csrf_token_of(page_of(admin_client.get("/admin/users/new")))
        response = admin_client.post("/admin/users/new", data=new_user_data(csrf_token=token))
        assert response.status_code == 302
        assert user_count() == 2

    def test_remove_member_without_token_keeps_the_member(self, admin_client, factory):
        team = factory.team("ops", "Operations")
        member = factory.user(teams=[team])
        response = admin_client.post(f"/admin/teams/ops/members/{member.id}/remove")
        assert response.status_code == 400
        assert team.members == [member]


@pytest.mark.parametrize("name", ["Pay\nments", "Pay\r\nments", "Pay\tments", "Pay\u2028ments"])
def test_a_team_name_on_more_than_one_line_is_refused_next_to_the_name(admin_client, name):
    response = admin_client.post("/admin/teams/new", data={"slug": "payments", "name": name})
    assert response.status_code == 400
    assert field_error("name", "Write the name on one line") in page_of(response)
    assert team_count() == 0
