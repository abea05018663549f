"""`flask users …` and `flask teams …`: what each command does, and how each one refuses.

Every refusal must exit non-zero with one line starting "Error:" on stderr and leave the
database as it was.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import signed_in_client
from tests.factories import DEFAULT_PASSWORD
from tracker.extensions import db
from tracker.models import Team, User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "a fresh and long passphrase"


# Helpers -----------------------------------------------------------------------------------


def db_snapshot() -> dict[str, list]:
    """Every committed row of every table, read on a connection of its own."""
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables
        }


def assert_refused(result, *fragments: str) -> None:
    """The command failed with a single "Error: …" line on stderr containing `fragments`."""
    assert result.exit_code != 0, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.endswith("\n"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def table_rows(output: str) -> list[list[str]]:
    """The cells of a table printed by `… list`, header first."""
    return [re.split(r" {2,}", line.strip()) for line in output.splitlines()]


def user_with_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(email=email))


def team_with_slug(slug: str) -> Team | None:
    return db.session.scalar(sa.select(Team).filter_by(slug=slug))


def create_user(runner, email="new@example.com", *extra, password=NEW_PASSWORD, name="Nora New"):
    return runner.invoke(
        args=["users", "create", email, "--name", name, *extra, "--password-stdin"],
        input=password + "\n",
    )


def create_viewer(runner, email="new@example.com", *extra, **kwargs):
    return create_user(runner, email, "--role", "viewer", *extra, **kwargs)


# users create ------------------------------------------------------------------------------


def test_users_create_says_what_it_created(runner):
    result = create_user(runner, "new@example.com", "--role", "manager")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created manager new@example.com.\n"


def test_users_create_stores_name_role_and_an_active_account(runner):
    create_user(runner, "new@example.com", "--role", "manager")
    user = user_with_email("new@example.com")
    assert (user.display_name, user.role, user.active) == ("Nora New", "manager", True)


def test_users_create_puts_the_user_in_every_team_given(runner, factory):
    factory.team("ops", "Operations")
    factory.team("payments", "Payments")
    factory.team("search", "Search")
    create_viewer(runner, "new@example.com", "--team", "ops", "--team", "PAYMENTS")
    assert [team.slug for team in user_with_email("new@example.com").teams] == [
        "ops",
        "payments",
    ]


def test_users_create_stores_the_email_lower_cased(runner):
    create_viewer(runner, "  New@Example.COM ")
    assert user_with_email("new@example.com") is not None


def test_users_create_password_from_stdin_signs_in(runner, auth):
    create_viewer(runner)
    assert auth.login(email="new@example.com", password=NEW_PASSWORD).status_code == 302


def test_users_create_prompts_for_the_password_twice(runner, auth):
    result = runner.invoke(
        args=["users", "create", "new@example.com", "--name", "Nora", "--role", "viewer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password: " in result.stdout
    assert "Repeat for confirmation: " in result.stdout
    assert auth.login(email="new@example.com", password=NEW_PASSWORD).status_code == 302


def test_users_create_asks_again_when_the_confirmation_differs(runner, auth):
    result = runner.invoke(
        args=["users", "create", "new@example.com", "--name", "Nora", "--role", "viewer"],
        input=f"first attempt here\nsecond attempt here\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.stdout
    assert auth.login(email="new@example.com", password=NEW_PASSWORD).status_code == 302


def test_users_create_does_not_echo_the_prompted_password(runner):
    result = runner.invoke(
        args=["users", "create", "new@example.com", "--name", "Nora", "--role", "viewer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert NEW_PASSWORD not in result.output


def test_users_create_with_taken_email_is_refused(runner, admin):
    before = db_snapshot()
    result = create_viewer(runner, "ADMIN@example.com")
    assert_refused(result, "A user with the email admin@example.com already exists.")
    assert db_snapshot() == before


def test_users_create_with_unknown_team_is_refused(runner, factory):
    factory.team("ops", "Operations")
    before = db_snapshot()
    result = create_viewer(runner, "new@example.com", "--team", "ops", "--team", "ghosts")
    assert_refused(result, "No team has the slug 'ghosts'.")
    assert db_snapshot() == before


def test_users_create_with_unknown_role_is_refused(runner):
    before = db_snapshot()
    result = create_user(runner, "new@example.com", "--role", "overlord")
    assert_refused(result, "Role must be one of admin, manager, viewer", "overlord")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("too short", "Use at least 12 characters for the password."),
        ("passwordpassword", "That password is too easy to guess"),
        ("new@example.com", "The password must not be the email address."),
    ],
)
def test_users_create_with_weak_password_is_refused(runner, password, message):
    before = db_snapshot()
    result = create_viewer(runner, "new@example.com", password=password)
    assert_refused(result, message)
    assert db_snapshot() == before


@pytest.mark.parametrize("email", ["not-an-email", "nobody@", "two@@example.com"])
def test_users_create_with_invalid_email_is_refused(runner, email):
    before = db_snapshot()
    result = create_viewer(runner, email)
    assert_refused(result, "Enter a valid email address")
    assert db_snapshot() == before


def test_users_create_with_blank_name_is_refused(runner):
    before = db_snapshot()
    result = create_viewer(runner, "new@example.com", name="   ")
    assert_refused(result, "Enter a name.")
    assert db_snapshot() == before


def test_users_create_with_several_problems_reports_them_on_one_line(runner, admin):
    before = db_snapshot()
    result = create_user(runner, "admin@example.com", "--role", "boss", password="short")
    assert_refused(result, "already exists", "Role must be one of", "at least 12 characters")
    assert db_snapshot() == before


def test_users_create_without_role_is_a_usage_error(runner):
    result = runner.invoke(
        args=["users", "create", "new@example.com", "--name", "Nora", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "Missing option '--role'" in result.stderr
    assert user_with_email("new@example.com") is None


# users set-password ------------------------------------------------------------------------


def set_password(runner, email, password=NEW_PASSWORD):
    return runner.invoke(
        args=["users", "set-password", email, "--password-stdin"], input=password + "\n"
    )


def test_users_set_password_says_what_it_did(runner, viewer):
    result = set_password(runner, "viewer@example.com")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Set a new password for viewer@example.com.\n"


def test_users_set_password_from_stdin_signs_in_with_the_new_one(runner, auth, viewer):
    set_password(runner, "Viewer@Example.com")
    assert auth.login(email="viewer@example.com", password=NEW_PASSWORD).status_code == 302


def test_users_set_password_retires_the_old_one(runner, auth, viewer):
    set_password(runner, "viewer@example.com")
    assert auth.login(email="viewer@example.com", password=DEFAULT_PASSWORD).status_code == 401


def test_users_set_password_prompts_for_the_password_twice(runner, auth, viewer):
    result = runner.invoke(
        args=["users", "set-password", "viewer@example.com"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation: " in result.stdout
    assert auth.login(email="viewer@example.com", password=NEW_PASSWORD).status_code == 302


def test_users_set_password_signs_the_user_out_everywhere(app, runner, viewer):
    client = signed_in_client(app, viewer)
    assert client.get("/").status_code == 200
    set_password(runner, "viewer@example.com")
    assert client.get("/").status_code == 302


def test_users_set_password_for_unknown_email_is_refused(runner, viewer):
    before = db_snapshot()
    result = set_password(runner, "nobody@example.com")
    assert_refused(result, "No user has the email 'nobody@example.com'.")
    assert db_snapshot() == before


def test_users_set_password_for_unknown_email_does_not_prompt(runner):
    result = runner.invoke(args=["users", "set-password", "nobody@example.com"], input="")
    assert_refused(result, "No user has the email")
    assert "Password" not in result.stdout


def test_users_set_password_with_weak_password_is_refused(runner, viewer):
    before = db_snapshot()
    result = set_password(runner, "viewer@example.com", password="short")
    assert_refused(result, "Use at least 12 characters for the password.")
    assert db_snapshot() == before


def test_users_set_password_with_weak_password_keeps_the_old_one(runner, auth, viewer):
    set_password(runner, "viewer@example.com", password="short")
    assert auth.login(email="viewer@example.com", password=DEFAULT_PASSWORD).status_code == 302


# users deactivate --------------------------------------------------------------------------


def test_users_deactivate_says_what_it_did(runner, viewer):
    result = runner.invoke(args=["users", "deactivate", "viewer@example.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Deactivated viewer@example.com.\n"


def test_users_deactivate_marks_the_user_inactive(runner, viewer):
    runner.invoke(args=["users", "deactivate", "VIEWER@example.com"])
    assert not viewer.active


def test_users_deactivated_user_cannot_sign_in(runner, auth, viewer):
    runner.invoke(args=["users", "deactivate", "viewer@example.com"])
    assert auth.login(email="viewer@example.com").status_code == 401


def test_users_deactivate_ends_open_sessions(app, runner, viewer):
    client = signed_in_client(app, viewer)
    runner.invoke(args=["users", "deactivate", "viewer@example.com"])
    assert client.get("/").status_code == 302


def test_users_deactivate_keeps_the_users_teams(runner, manager):
    runner.invoke(args=["users", "deactivate", "manager@example.com"])
    assert [team.slug for team in manager.teams] == ["payments"]


def test_users_deactivate_unknown_email_is_refused(runner, viewer):
    before = db_snapshot()
    result = runner.invoke(args=["users", "deactivate", "nobody@example.com"])
    assert_refused(result, "No user has the email 'nobody@example.com'.")
    assert db_snapshot() == before


def test_users_deactivate_last_admin_is_refused(runner, admin, viewer):
    before = db_snapshot()
    result = runner.invoke(args=["users", "deactivate", "admin@example.com"])
    assert_refused(result, "admin@example.com is the last active admin")
    assert db_snapshot() == before


def test_users_deactivate_an_admin_when_another_is_active(runner, admin, factory):
    other = factory.user(email="second@example.com", role="admin")
    result = runner.invoke(args=["users", "deactivate", "second@example.com"])
    assert result.exit_code == 0, result.output
    assert not other.active


def test_users_deactivate_last_active_admin_is_refused_despite_inactive_admins(
    runner, admin, factory
):
    factory.user(email="old-admin@example.com", role="admin", active=False)
    before = db_snapshot()
    result = runner.invoke(args=["users", "deactivate", "admin@example.com"])
    assert_refused(result, "last active admin")
    assert db_snapshot() == before


# users list --------------------------------------------------------------------------------


def test_users_list_shows_each_user_sorted_by_email(runner, admin, factory):
    ops = factory.team("ops", "Operations")
    payments = factory.team("payments", "Payments")
    factory.user(email="zed@example.com", name="Zed Zero", role="manager", teams=[payments, ops])
    factory.user(email="bob@example.com", name="Bob Gone", active=False)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        ["EMAIL", "NAME", "ROLE", "STATE", "TEAMS"],
        ["admin@example.com", "Ada Admin", "admin", "active", "-"],
        ["bob@example.com", "Bob Gone", "viewer", "inactive", "-"],
        ["zed@example.com", "Zed Zero", "manager", "active", "ops,payments"],
    ]


def cell_starts(line: str) -> list[int]:
    return [match.start(1) for match in re.finditer(r"(?:^|  )(\S)", line)]


def test_users_list_lines_up_the_columns(runner, admin, factory):
    factory.user(email="a-much-longer-address@example.com", name="Lo", teams=[factory.team()])
    lines = runner.invoke(args=["users", "list"]).stdout.splitlines()
    assert len(lines) == 3
    assert cell_starts(lines[0]) == cell_starts(lines[1]) == cell_starts(lines[2])


def test_users_list_with_no_users_shows_only_the_header(runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert table_rows(result.stdout) == [["EMAIL", "NAME", "ROLE", "STATE", "TEAMS"]]


# users ensure-admin ------------------------------------------------------------------------


def printed_password(output: str) -> str:
    return re.search(r"^ +password: +(\S+)$", output, re.M).group(1)


def test_ensure_admin_creates_an_admin_when_there_are_no_users(runner):
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0, result.output
    user = user_with_email("admin@example.com")
    assert (user.role, user.active) == ("admin", True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_ensure_admin_prints_the_email_and_password(runner):
    result = runner.invoke(args=["users", "ensure-admin"])
    assert re.search(r"^ +email: +admin@example.com$", result.stdout, re.M)
    assert len(printed_password(result.stdout)) >= 12


def test_ensure_admin_says_how_the_admin_joins_a_team_and_the_commands_work(runner):
    result = runner.invoke(args=["users", "ensure-admin"])
    assert "belongs to no team yet" in result.stdout
    commands = re.findall(r"^  flask --app app (teams .+)$", result.stdout, re.M)
    assert commands == [
        'teams create sre --name "Site Reliability"',
        "teams add-member sre admin@example.com",
    ]
    for command in commands:
        assert runner.invoke(args=shlex.split(command)).exit_code == 0
    assert [team.slug for team in user_with_email("admin@example.com").teams] == ["sre"]


def test_ensure_admin_printed_password_signs_in(runner, auth):
    result = runner.invoke(args=["users", "ensure-admin"])
    password = printed_password(result.stdout)
    assert auth.login(email="admin@example.com", password=password).status_code == 302


def test_ensure_admin_generates_a_different_password_each_time(app, runner):
    first = printed_password(runner.invoke(args=["users", "ensure-admin"]).stdout)
    db.session.execute(sa.delete(User))
    db.session.commit()
    second = printed_password(runner.invoke(args=["users", "ensure-admin"]).stdout)
    assert first != second


def test_ensure_admin_does_nothing_when_users_exist(runner, viewer):
    before = db_snapshot()
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0
    assert result.output == ""
    assert db_snapshot() == before


def test_ensure_admin_does_nothing_when_only_inactive_users_exist(runner, factory):
    factory.user(email="gone@example.com", role="admin", active=False)
    before = db_snapshot()
    result = runner.invoke(args=["users", "ensure-admin"])
    assert result.output == ""
    assert db_snapshot() == before


def test_ensure_admin_run_twice_creates_one_admin(runner):
    runner.invoke(args=["users", "ensure-admin"])
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.output == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


class TestEnsureAdminWithConfiguredEmail:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["ADMIN_EMAIL"] = "Root@Example.org"
        return app_config

    def test_ensure_admin_uses_the_configured_email(self, runner, auth):
        result = runner.invoke(args=["users", "ensure-admin"])
        password = printed_password(result.stdout)
        assert auth.login(email="root@example.org", password=password).status_code == 302


class TestEnsureAdminWithInvalidConfiguredEmail:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["ADMIN_EMAIL"] = "not-an-email"
        return app_config

    def test_ensure_admin_with_invalid_configured_email_is_refused(self, runner):
        before = db_snapshot()
        result = runner.invoke(args=["users", "ensure-admin"])
        assert_refused(result, "Enter a valid email address")
        assert db_snapshot() == before


# teams create ------------------------------------------------------------------------------


def test_teams_create_says_what_it_created(runner):
    result = runner.invoke(args=["teams", "create", "payments-sre", "--name", "Payments SRE"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created team payments-sre.\n"


def test_teams_create_stores_slug_lower_cased_and_name(runner):
    runner.invoke(args=["teams", "create", "Payments-SRE", "--name", " Payments SRE "])
    assert team_with_slug("payments-sre").name == "Payments SRE"


@pytest.mark.parametrize("slug", ["1abc", "a", "ends-with-", "has space", "under_score", "x" * 65])
def test_teams_create_with_bad_slug_is_refused(runner, slug):
    before = db_snapshot()
    result = runner.invoke(args=["teams", "create", slug, "--name", "Team"])
    assert_refused(result, "lower-case letters, digits and hyphens")
    assert db_snapshot() == before


def test_teams_create_with_taken_slug_is_refused(runner, factory):
    factory.team("ops", "Operations")
    before = db_snapshot()
    result = runner.invoke(args=["teams", "create", "OPS", "--name", "Other"])
    assert_refused(result, "A team with the slug ops already exists.")
    assert db_snapshot() == before


def test_teams_create_with_blank_name_is_refused(runner):
    before = db_snapshot()
    result = runner.invoke(args=["teams", "create", "ops", "--name", "  "])
    assert_refused(result, "Enter a name.")
    assert db_snapshot() == before


# teams add-member --------------------------------------------------------------------------


def test_teams_add_member_says_what_it_did(runner, factory, viewer):
    factory.team("ops", "Operations")
    result = runner.invoke(args=["teams", "add-member", "ops", "viewer@example.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added viewer@example.com to ops.\n"


def test_teams_add_member_puts_the_user_in_the_team(runner, factory, viewer):
    team = factory.team("ops", "Operations")
    runner.invoke(args=["teams", "add-member", "OPS", "Viewer@Example.com"])
    assert team.members == [viewer]


def test_teams_add_member_twice_says_so_and_keeps_one_membership(runner, factory, viewer):
    team = factory.team("ops", "Operations")
    runner.invoke(args=["teams", "add-member", "ops", "viewer@example.com"])
    result = runner.invoke(args=["teams", "add-member", "ops", "viewer@example.com"])
    assert result.exit_code == 0
    assert result.stdout == "viewer@example.com is already in ops.\n"
    assert team.members == [viewer]


def test_teams_add_member_to_unknown_team_is_refused(runner, viewer):
    before = db_snapshot()
    result = runner.invoke(args=["teams", "add-member", "ghosts", "viewer@example.com"])
    assert_refused(result, "No team has the slug 'ghosts'.")
    assert db_snapshot() == before


def test_teams_add_member_with_unknown_email_is_refused(runner, factory):
    factory.team("ops", "Operations")
    before = db_snapshot()
    result = runner.invoke(args=["teams", "add-member", "ops", "nobody@example.com"])
    assert_refused(result, "No user has the email 'nobody@example.com'.")
    assert db_snapshot() == before


# teams list --------------------------------------------------------------------------------


def test_teams_list_shows_each_team_with_its_members(runner, factory):
    ops = factory.team("ops", "Operations")
    factory.team("search", "Search")
    factory.user(email="b@example.com", name="Bea", teams=[ops])
    factory.user(email="a@example.com", name="Abe", teams=[ops])
    result = runner.invoke(args=["teams", "list"])
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        ["SLUG", "NAME", "MEMBERS"],
        ["ops", "Operations", "a@example.com,b@example.com"],
        ["search", "Search", "-"],
    ]


def test_teams_list_with_no_teams_shows_only_the_header(runner):
    result = runner.invoke(args=["teams", "list"])
    assert result.exit_code == 0
    assert table_rows(result.stdout) == [["SLUG", "NAME", "MEMBERS"]]


# The real command line ---------------------------------------------------------------------


def test_flask_command_refuses_to_start_in_production_without_secret_key():
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "DATABASE_URL", "FLASK_APP", "TESTING"}
    }
    env["TRACKER_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "users", "list"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
