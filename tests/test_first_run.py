"""A first admin belongs to no team: the dashboard offers to join one, or to create a team and
join it in one step, so the admin gets My teams and the digest."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Team


def test_admin_in_no_team_is_offered_to_create_a_team_and_join_it(admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    assert "You belong to no team yet" in page
    assert "Create the team and join it" in page
    form = page.split("Create the team and join it")[0].rsplit("<form", 1)[1]
    assert 'action="/admin/teams/new"' in form and 'name="join" value="y"' in form


def test_creating_the_team_from_the_dashboard_makes_the_admin_a_member(admin_client, admin):
    response = admin_client.post(
        "/admin/teams/new", data={"name": "Site Reliability", "slug": "sre", "join": "y"}
    )
    assert response.status_code == 302
    team = db.session.scalar(sa.select(Team).filter_by(slug="sre"))
    assert [member.email for member in team.members] == [admin.email]
    assert admin_client.get("/my-teams").status_code == 200
    assert "You belong to no team yet" not in admin_client.get("/").get_data(as_text=True)


def test_a_refused_team_keeps_what_was_typed_and_joins_nothing(admin_client, factory, admin):
    factory.team("sre", "SRE")
    response = admin_client.post(
        "/admin/teams/new", data={"name": "Site Reliability", "slug": "sre", "join": "y"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already exists" in page and 'value="Site Reliability"' in page
    db.session.refresh(admin)
    assert admin.teams == []


def test_creating_a_team_without_join_leaves_the_admin_out(admin_client, admin):
    admin_client.post("/admin/teams/new", data={"name": "Search", "slug": "search"})
    assert db.session.scalar(sa.select(Team).filter_by(slug="search")).members == []


def test_admin_in_no_team_may_join_an_existing_team_from_the_dashboard(
    admin_client, admin, factory
):
    factory.team("payments", "Payments")
    factory.risk(team=db.session.scalar(sa.select(Team).filter_by(slug="payments")))
    page = admin_client.get("/").get_data(as_text=True)
    [form] = re.findall(
        r'<form method="post" action="/admin/teams/payments/members".*?</form>', page, re.S
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    response = admin_client.post("/admin/teams/payments/members", data=fields)
    assert response.status_code == 302
    db.session.refresh(admin)
    assert [team.slug for team in admin.teams] == ["payments"]


def test_members_and_managers_are_not_offered_a_team(admin_client, manager_client, factory, admin):
    team = factory.team("sre", "SRE")
    assert "You belong to no team yet" not in manager_client.get("/").get_data(as_text=True)
    team.members.append(admin)
    db.session.commit()
    assert "You belong to no team yet" not in admin_client.get("/").get_data(as_text=True)
