"""Personal API tokens: the service, `flask tokens …`, and the API tokens page."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import signed_in_client
from tests.helpers import counting_queries
from tracker.api import account, tokens
from tracker.api.cli import tokens_cli
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.validation import ValidationError

# The service


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(admin):
    token, plain = tokens.create_token(admin, "report script")

    assert re.fullmatch(r"art_[\w-]{40,}", plain)
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token.prefix == plain[:12]
    assert plain not in {token.name, token.prefix, token.token_hash}


def test_two_tokens_differ(admin):
    assert tokens.create_token(admin, "a")[1] != tokens.create_token(admin, "b")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_token_needs_a_short_name(admin, name):
    with pytest.raises(ValidationError) as refused:
        tokens.create_token(admin, name)
    assert "name" in refused.value.errors
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_authenticate_finds_the_tokens_user(admin):
    _, plain = tokens.create_token(admin, "script")
    assert tokens.authenticate(plain) == admin


@pytest.mark.parametrize("plain", ["", "art_wrong", "not-even-prefixed"])
def test_authenticate_refuses_unknown_tokens(admin, plain):
    tokens.create_token(admin, "script")
    assert tokens.authenticate(plain) is None


def test_a_revoked_token_no_longer_authenticates(admin):
    token, plain = tokens.create_token(admin, "script")
    assert tokens.revoke_token(token) is True
    assert tokens.authenticate(plain) is None
    assert tokens.revoke_token(token) is False


def test_a_deactivated_users_token_no_longer_authenticates(factory):
    user = factory.user(role="manager")
    _, plain = tokens.create_token(user, "script")
    user.active = False
    db.session.commit()
    assert tokens.authenticate(plain) is None


def test_last_use_is_recorded_at_most_once_a_minute(admin, clock):
    token, plain = tokens.create_token(admin, "script")
    first = clock()
    tokens.authenticate(plain)
    assert token.last_used_at == first

    clock.advance(seconds=59)
    tokens.authenticate(plain)
    assert token.last_used_at == first

    clock.advance(seconds=1)
    tokens.authenticate(plain)
    assert token.last_used_at == clock()


def test_tokens_of_lists_only_the_users_own_newest_first(admin, viewer, clock):
    older, _ = tokens.create_token(admin, "older")
    clock.advance(minutes=1)
    newer, _ = tokens.create_token(admin, "newer")
    tokens.create_token(viewer, "someone else's")
    assert tokens.tokens_of(admin) == [newer, older]


def test_find_token_with_an_owner_hides_other_users_tokens(admin, viewer):
    token, _ = tokens.create_token(admin, "mine")
    assert tokens.find_token(token.id, owner=admin) == token
    assert tokens.find_token(token.id, owner=viewer) is None
    assert tokens.find_token(token.id + 1) is None


# flask tokens …


def test_cli_create_prints_the_token_and_nothing_else(runner, admin):
    result = runner.invoke(tokens_cli, ["create", admin.email, "--name", "nightly export"])

    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert result.stdout == plain + "\n"
    assert tokens.authenticate(plain) == admin
    assert tokens.tokens_of(admin)[0].name == "nightly export"


def test_cli_create_without_a_name_still_names_the_token(runner, admin):
    result = runner.invoke(tokens_cli, ["create", admin.email])
    assert result.exit_code == 0
    assert tokens.tokens_of(admin)[0].name == "command line"


def test_cli_create_for_an_unknown_email_fails_with_one_line_on_stderr(runner, admin):
    result = runner.invoke(tokens_cli, ["create", "nobody@example.com"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nobody@example.com" in result.stderr


def test_cli_list_shows_each_token_without_its_secret(runner, admin):
    token, plain = tokens.create_token(admin, "report script")
    tokens.revoke_token(tokens.create_token(admin, "old script")[0])

    result = runner.invoke(tokens_cli, ["list", admin.email])

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "PREFIX", "CREATED", "LAST", "USED", "STATE"]
    assert any("report script" in line and "active" in line for line in lines)
    assert any("old script" in line and "revoked" in line for line in lines)
    assert token.prefix in result.stdout
    assert plain not in result.stdout


def test_cli_list_for_an_unknown_email_fails(runner):
    result = runner.invoke(tokens_cli, ["list", "nobody@example.com"])
    assert result.exit_code == 1
    assert "nobody@example.com" in result.stderr


def test_cli_revoke_stops_the_token(runner, admin):
    token, plain = tokens.create_token(admin, "script")

    result = runner.invoke(tokens_cli, ["revoke", str(token.id)])

    assert result.exit_code == 0
    assert "Revoked" in result.stdout
    assert tokens.authenticate(plain) is None


def test_cli_revoke_of_an_unknown_id_fails(runner):
    result = runner.invoke(tokens_cli, ["revoke", "999"])
    assert result.exit_code == 1
    assert "999" in result.stderr


# The API tokens page


def test_the_page_lists_the_users_tokens(app, admin, viewer):
    tokens.create_token(viewer, "viewer's script")
    mine, _ = tokens.create_token(admin, "weekly report")

    page = signed_in_client(app, admin).get("/account/tokens").get_data(as_text=True)

    assert "weekly report" in page
    assert mine.prefix in page
    assert "viewer&#39;s script" not in page and "viewer's script" not in page


def test_every_signed_in_role_has_the_page_in_the_menu(app, viewer):
    page = signed_in_client(app, viewer).get("/").get_data(as_text=True)
    assert 'href="/account/tokens"' in page


def test_the_page_needs_a_sign_in(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_creating_a_token_shows_it_once(app, viewer):
    browser = signed_in_client(app, viewer)

    page = browser.post("/account/tokens", data={"name": "chat bot"}).get_data(as_text=True)

    plain = re.search(r'value="(art_[^"]+)"', page).group(1)
    assert tokens.authenticate(plain) == viewer
    assert "shown only this once" in page
    assert plain not in browser.get("/account/tokens").get_data(as_text=True)


def test_creating_a_token_without_a_name_shows_the_error(app, viewer):
    response = signed_in_client(app, viewer).post("/account/tokens", data={"name": ""})
    assert response.status_code == 400
    assert "Name the token." in response.get_data(as_text=True)
    assert tokens.tokens_of(viewer) == []


def test_revoking_from_the_page(app, viewer):
    token, plain = tokens.create_token(viewer, "chat bot")

    client = signed_in_client(app, viewer)
    asked = client.post(f"/account/tokens/{token.id}/revoke")
    assert "Revoke the token “chat bot”?" in asked.get_data(as_text=True)
    assert tokens.authenticate(plain) == viewer

    response = client.post(f"/account/tokens/{token.id}/revoke", data={"confirmed": "yes"})

    assert response.status_code == 302
    assert tokens.authenticate(plain) is None


def test_nobody_revokes_another_users_token(app, admin, viewer):
    token, plain = tokens.create_token(viewer, "chat bot")

    response = signed_in_client(app, admin).post(f"/account/tokens/{token.id}/revoke")

    assert response.status_code == 404
    assert tokens.authenticate(plain) == viewer


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_page_refuses_posts_without_the_csrf_token(app, viewer):
    browser = signed_in_client(app, viewer)
    token, plain = tokens.create_token(viewer, "chat bot")

    assert browser.post("/account/tokens", data={"name": "x"}).status_code == 400
    assert browser.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert [t.name for t in tokens.tokens_of(viewer)] == ["chat bot"]
    assert tokens.authenticate(plain) == viewer


@pytest.mark.parametrize("how", ["deactivate_user", "update_user"])
def test_reactivating_a_user_does_not_revive_their_old_tokens(factory, admin, how):
    from tracker.accounts import services as accounts

    user = factory.user(role="manager")
    token, plain = tokens.create_token(user, "script")
    if how == "deactivate_user":
        accounts.deactivate_user(user)
    else:
        accounts.update_user(user, display_name="Gone", role="manager", active=False, team_slugs=[])

    accounts.update_user(user, display_name="Back", role="manager", active=True, team_slugs=[])

    assert tokens.authenticate(plain) is None
    db.session.expire_all()
    assert token.revoked_at is not None
    _, fresh = tokens.create_token(user, "new script")
    assert tokens.authenticate(fresh) == user


def test_the_tokens_page_shows_a_page_of_tokens_newest_first_at_the_same_cost(
    viewer, viewer_client, clock, monkeypatch
):
    monkeypatch.setattr(account, "PER_PAGE", 3)
    for n in range(2):
        tokens.create_token(viewer, f"run {n}")
        clock.advance(minutes=1)
    viewer_client.get("/account/tokens")
    with counting_queries() as few:
        viewer_client.get("/account/tokens")
    for n in range(2, 7):
        tokens.create_token(viewer, f"run {n}")
        clock.advance(minutes=1)
    with counting_queries() as many:
        first = viewer_client.get("/account/tokens").get_data(as_text=True)
    last = viewer_client.get("/account/tokens?page=99").get_data(as_text=True)

    def names(page: str) -> list[str]:
        return re.findall(r'<td data-label="Name">([^<]+)</td>', page)

    assert names(first) == ["run 6", "run 5", "run 4"]
    assert names(last) == ["run 0"] and "7–7 of 7" in last
    assert len(many) == len(few)


def test_revoking_a_token_returns_to_its_page(viewer, viewer_client, clock, monkeypatch):
    monkeypatch.setattr(account, "PER_PAGE", 1)
    oldest, _ = tokens.create_token(viewer, "old")
    clock.advance(minutes=1)
    tokens.create_token(viewer, "new")
    response = viewer_client.post(
        f"/account/tokens/{oldest.id}/revoke?page=2", data={"confirmed": "yes"}
    )
    assert response.headers["Location"] == "/account/tokens?page=2"
    assert not oldest.active
