"""Irreversible actions ask first. Without JavaScript the server answers the first post with a
page that asks; its button posts the same form again with confirmed=yes."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.extensions import db
from tracker.jira import links as jira_links
from tracker.mitigations.services import add_mitigation
from tracker.models import Review
from tracker.reviews import services as reviews


def hidden_inputs(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_finishing_a_review_asks_first_and_keeps_the_typed_notes(admin_client, admin):
    review = reviews.start_review(admin)
    asked = admin_client.post(f"/reviews/{review.id}/finish", data={"notes": "Good week."})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert f"Finish review #{review.id}?" in page and "freezes the review for good" in page
    assert db.session.get(Review, review.id).is_open
    form = page.split('<section class="card narrow confirm">')[1]
    assert hidden_inputs(form) == {"notes": "Good week.", "confirmed": "yes"}
    assert f'action="/reviews/{review.id}/finish"' in page

    admin_client.post(f"/reviews/{review.id}/finish", data=hidden_inputs(form))
    finished = db.session.get(Review, review.id)
    assert not finished.is_open and finished.notes == "Good week."


def test_unlinking_a_ticket_asks_first(admin_client, admin, factory):
    risk = factory.risk(factory.team("ops", "Ops"))
    mitigation = add_mitigation(
        risk, {"title": "Replica", "team": "ops", "due_date": date(2026, 5, 1)}, None
    )
    jira_links.add_link(mitigation, "OPS-1", admin)
    url = f"/mitigations/{mitigation.id}/jira-links/OPS-1/delete"
    asked = admin_client.post(url)
    assert f"Unlink OPS-1 from {mitigation.label}?" in asked.get_data(as_text=True)
    assert [link.ticket.key for link in jira_links.links_of(mitigation)] == ["OPS-1"]
    admin_client.post(url, data={"confirmed": "yes"})
    assert jira_links.links_of(mitigation) == []


def test_removing_a_team_member_asks_first(admin_client, factory):
    team = factory.team("ops", "Operations")
    member = factory.user(name="Mo Member", role="manager", teams=[team])
    url = f"/admin/teams/ops/members/{member.id}/remove"
    asked = admin_client.post(url).get_data(as_text=True)
    assert "Remove Mo Member from Operations?" in asked
    assert "can no longer change its risks and mitigations" in asked
    assert team.members == [member]
    admin_client.post(url, data={"confirmed": "yes"})
    assert team.members == []


def test_archiving_asks_first_and_keeps_the_reason(admin_client, factory):
    risk = factory.risk(factory.team("ops", "Ops"))
    asked = admin_client.post(f"/risks/{risk.key}/archive", data={"reason": "Duplicate"})
    assert hidden_inputs(asked.get_data(as_text=True))["reason"] == "Duplicate"
    assert risk.archived_at is None


def test_removing_a_category_asks_first(admin_client):
    asked = admin_client.post("/admin/categories/process/delete").get_data(as_text=True)
    assert "Remove the category" in asked


@pytest.mark.parametrize(
    "template",
    ["reviews/detail.html", "jira/_links.html", "admin/team_detail.html", "risks/detail.html"],
)
def test_the_buttons_ask_in_the_browser_through_a_static_script(app, template):
    source = app.jinja_loader.get_source(app.jinja_env, template)[0]
    # Directly, or through the post_button macro's confirm argument.
    assert "data-confirm=" in source or "confirm=" in source
    assert "onclick" not in source and "<script" not in source
