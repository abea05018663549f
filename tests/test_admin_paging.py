"""The admin lists a page at a time, with a search box: users, teams and a team's members.
Pages are made small here (three rows) so a few rows make several pages."""

from __future__ import annotations

import re

import pytest

from tests.helpers import counting_queries
from tracker.admin import routes


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(routes, "PER_PAGE", 3)


@pytest.fixture
def people(factory, admin):
    """Five users besides the admin (ada@…), emails in alphabetical order of their names."""
    team = factory.team("ops", "Operations")
    return [
        factory.user(email=f"{name.lower()}@example.com", name=f"{name} Person", teams=[team])
        for name in ("Bea", "Cid", "Dee", "Eve", "Fay")
    ]


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def emails(page: str) -> list[str]:
    return re.findall(r'<td data-label="Email">([^<]+)</td>', page)


def test_the_users_page_shows_one_page_of_users_by_email(admin_client, admin, people):
    first = page_of(admin_client, "/admin/users")
    second = page_of(admin_client, "/admin/users?page=2")
    everyone = sorted([admin.email, *(p.email for p in people)])
    assert emails(first) == everyone[:3]
    assert emails(second) == everyone[3:]
    assert "4–6 of 6" in second and 'href="/admin/users" rel="prev"' in second


def test_the_users_page_costs_the_same_queries_whatever_the_number_of_users(
    admin_client, factory, people, monkeypatch
):
    monkeypatch.setattr(routes, "PER_PAGE", 50)
    page_of(admin_client, "/admin/users")
    with counting_queries() as few:
        page = page_of(admin_client, "/admin/users")
    assert len(emails(page)) == 6
    team = factory.team("web", "Web")
    for n in range(60):
        factory.user(teams=[team], email=f"zz{n}@example.com")
    with counting_queries() as many:
        page = page_of(admin_client, "/admin/users")
    assert len(emails(page)) == 50
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("dee", ["dee@example.com"]),
        ("EVE PERSON", ["eve@example.com"]),
        ("person", ["bea@example.com", "cid@example.com", "dee@example.com"]),
        ("%", []),
        ("_ea", []),
    ],
)
def test_the_users_search_finds_a_name_or_email_in_any_case_and_literally(
    admin_client, people, q, found
):
    page = page_of(admin_client, f"/admin/users?q={q.replace('%', '%25')}")
    assert emails(page) == found
    assert f'name="q" value="{q}"' in page
    if not found:
        assert "No user's name or email contains" in page


def test_the_pager_keeps_the_search(admin_client, people):
    page = page_of(admin_client, "/admin/users?q=person")
    assert 'href="/admin/users?q=person&amp;page=2" rel="next"' in page
    assert emails(page_of(admin_client, "/admin/users?q=person&page=2")) == [
        "eve@example.com",
        "fay@example.com",
    ]


@pytest.mark.parametrize("asked", ["abc", "-1", "0", "99999999999999999999999"])
def test_a_bad_page_number_gives_a_page_of_users_keeping_the_search(admin_client, people, asked):
    page = page_of(admin_client, f"/admin/users?q=person&page={asked}")
    expected = ["eve@example.com", "fay@example.com"] if asked.startswith("9") else [
        "bea@example.com", "cid@example.com", "dee@example.com"
    ]  # fmt: skip
    assert emails(page) == expected
    assert 'name="q" value="person"' in page


def test_a_search_too_long_for_any_email_is_cut_not_refused(admin_client, people):
    page = page_of(admin_client, "/admin/users?q=" + "x" * 5000)
    assert emails(page) == [] and "x" * 201 not in page


def team_slugs(page: str) -> list[str]:
    return re.findall(r'<td data-label="Team"><a href="/admin/teams/([\w-]+)">', page)


def test_the_teams_page_is_paged_and_searched(admin_client, factory):
    for slug in ("alpha", "bravo", "charlie", "delta", "echo"):
        factory.team(slug, slug.title())
    assert team_slugs(page_of(admin_client, "/admin/teams")) == ["alpha", "bravo", "charlie"]
    assert team_slugs(page_of(admin_client, "/admin/teams?page=2")) == ["delta", "echo"]
    assert team_slugs(page_of(admin_client, "/admin/teams?q=LT")) == ["delta"]
    assert "No team's name or slug contains" in page_of(admin_client, "/admin/teams?q=zulu")


def member_names(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>\s*<span class="role-badge', page)


def test_a_teams_members_are_paged_by_name_and_removing_one_returns_to_its_page(
    admin_client, people
):
    first = page_of(admin_client, "/admin/teams/ops")
    second = page_of(admin_client, "/admin/teams/ops?page=2")
    assert member_names(first) == ["Bea Person", "Cid Person", "Dee Person"]
    assert member_names(second) == ["Eve Person", "Fay Person"]
    assert 'Members <span class="muted">(5)</span>' in first
    fay = people[-1]
    response = admin_client.post(
        f"/admin/teams/ops/members/{fay.id}/remove?page=2", data={"confirmed": "yes"}
    )
    assert response.headers["Location"] == "/admin/teams/ops?page=2"
    assert member_names(page_of(admin_client, "/admin/teams/ops?page=2")) == ["Eve Person"]
