"""Blocked work is visible: on the dashboard, in the digest, in the weekly review (frozen in
its snapshot) and on the row in My teams, each with what the work waits on."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.helpers import counting_queries
from tracker.digest import content, render
from tracker.extensions import db
from tracker.mitigations.services import add_mitigation, update_mitigation
from tracker.models import Review
from tracker.reviews import services as reviews

WAITING = "Waiting for the network team's subnets"


def blocked_mitigation(risk, manager, title="Automate failover"):
    mitigation = add_mitigation(
        risk, {"title": title, "team": "payments", "due_date": date(2026, 4, 1)}, manager
    )
    update_mitigation(mitigation, {"status": "blocked"}, manager, expected_version=None,
                      note=WAITING)  # fmt: skip
    return mitigation


@pytest.fixture
def blocked(factory, payments, manager):
    risk = factory.risk(payments, title="Primary database in one zone", likelihood=4, impact=4)
    return blocked_mitigation(risk, manager)


def test_the_dashboard_lists_blocked_mitigations_with_their_note(manager_client, blocked):
    page = manager_client.get("/").get_data(as_text=True)
    section = page.split("Blocked mitigations")[1].split("</div>")[0]
    assert '<span class="count">1</span>' in section
    assert "Automate failover" in section and WAITING.replace("'", "&#39;") in section


def test_the_blocked_list_costs_the_same_queries_whatever_its_length(
    manager_client, factory, payments, manager, blocked, clock
):
    manager_client.get("/")
    clock.advance(minutes=1)  # figures cached a minute ago are computed again
    with counting_queries() as few:
        manager_client.get("/")
    risk = factory.risk(payments)
    for n in range(12):
        blocked_mitigation(risk, manager, title=f"Blocked {n}")
    # As for `few`: this week's trend row already holds the figures (the first computation
    # after the new risk moves them also writes the row).
    manager_client.get("/")
    clock.advance(minutes=1)
    with counting_queries() as many:
        page = manager_client.get("/").get_data(as_text=True)
    assert len(many) == len(few)
    assert '<span class="count">13</span>' in page and "and 3 more" in page


def test_the_digest_lists_blocked_mitigations(app, blocked, manager):
    [digest] = content.build()
    text, html = render.text(digest), render.html(digest)
    assert "Blocked mitigations (1)" in text
    assert f"{blocked.label} Automate failover" in text and WAITING in text
    assert "Blocked mitigations (1)" in html


def test_the_review_freezes_the_blocked_list(admin_client, admin, blocked, manager):
    review = reviews.start_review(admin)
    update_mitigation(blocked, {"status": "in_progress"}, manager, expected_version=None)
    page = admin_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    section = page.split('id="blocked-title"')[1].split("</section>")[0]
    assert "Automate failover" in section and WAITING.replace("'", "&#39;") in section
    markdown = admin_client.get(f"/reviews/{review.id}.md").get_data(as_text=True)
    assert "## Blocked mitigations (1)" in markdown


def test_a_review_frozen_before_blocked_work_was_kept_still_renders(admin_client, admin, blocked):
    review = reviews.start_review(admin)
    stored = db.session.get(Review, review.id)
    snapshot = json.loads(stored.snapshot)
    del snapshot["blocked_rows"]
    stored.snapshot = json.dumps(snapshot)
    db.session.commit()
    response = admin_client.get(f"/reviews/{review.id}")
    assert response.status_code == 200
    assert "frozen before blocked work was kept" in response.get_data(as_text=True)
    assert admin_client.get(f"/reviews/{review.id}.md").status_code == 200
    assert admin_client.get(f"/reviews/{review.id}/print").status_code == 200


def test_my_teams_shows_the_blocker_note_on_the_row(manager_client, blocked):
    page = manager_client.get("/my-teams").get_data(as_text=True)
    row = page.split(f'id="m-{blocked.id}"')[1].split("</tr>")[0]
    assert WAITING.replace("'", "&#39;") in row
