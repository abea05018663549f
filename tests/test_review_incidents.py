"""What a weekly review freezes of the incidents: the budget spent per window, the incidents
since the previous review, the follow-ups created, the incidents still without a review — on
its page, narrowed to a team, and in its Markdown and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.helpers import counting_queries, record_incident
from tracker.incidents import services as incidents
from tracker.mitigations.services import add_mitigation
from tracker.reviews import queries, services, team_view


@pytest.fixture
def outage(clock):
    return lambda team, days_ago, minutes, title="Checkout down", **fields: record_incident(
        team, clock.current - timedelta(days=days_ago), timedelta(hours=1), minutes, title, **fields
    )


def follow_up(incident, risk, title="Add a replica"):
    return add_mitigation(
        risk,
        {
            "title": title,
            "team": risk.team.slug,
            "due_date": "2026-04-01",
            "source_incident": incident.key,
            "horizon": "short",
        },
        None,
    )


@pytest.fixture
def two_reviews(admin, factory, payments, search, outage, clock):
    """A first review a week ago over an old incident; then this week's incidents, a follow-up,
    and the second review, started now."""
    risk = factory.risk(team=payments)
    clock.advance(days=-7)
    old = outage(payments, 13, 30, title="Old outage", review_date="2026-02-12")
    first = services.start_review(admin)
    services.finish_review(first, admin)
    clock.advance(days=7)
    fresh = outage(payments, 2, 12, title="Fresh outage")
    theirs = outage(search, 3, 5, title="Search outage")
    incidents.link_risk(old, risk, None)
    follow_up(old, risk)
    second = services.start_review(admin)
    return {"first": first, "second": second, "old": old, "fresh": fresh, "theirs": theirs}


def test_a_review_freezes_the_incidents_since_the_previous_one(two_reviews):
    frozen = queries.load(two_reviews["second"].id).incidents

    assert frozen["new"]["count"] == 2
    assert [item["key"] for item in frozen["new"]["items"]] == [
        two_reviews["fresh"].key,
        two_reviews["theirs"].key,
    ]
    assert [item["title"] for item in frozen["follow_ups"]["items"]] == ["Add a replica"]
    assert frozen["follow_ups"]["items"][0]["incident"] == two_reviews["old"].key
    # Resolved, not closed, no review held: the two fresh ones (not yet overdue); the old one
    # had its review.
    unreviewed = frozen["unreviewed"]["items"]
    assert [(i["key"], i["review_overdue"]) for i in unreviewed] == [
        (two_reviews["theirs"].key, False),
        (two_reviews["fresh"].key, False),
    ]


def test_the_first_review_lists_every_incident(two_reviews):
    frozen = queries.load(two_reviews["first"].id).incidents

    assert [item["title"] for item in frozen["new"]["items"]] == ["Old outage"]
    assert frozen["follow_ups"]["count"] == 0


def test_the_budget_figures_are_frozen_for_all_and_each_team(two_reviews, outage, search):
    view = queries.load(two_reviews["second"].id)
    seven = view.spent_windows[0]
    assert (seven["days"], seven["allowed_minutes"], seven["spent_minutes"]) == (7, 20.16, 17.0)

    outage(search, 1, 50)  # after the start: the review does not change
    view = queries.load(two_reviews["second"].id)
    assert view.spent_windows[0]["spent_minutes"] == 17.0
    narrowed = team_view.narrow(view, search)
    assert narrowed.spent_windows[0]["spent_minutes"] == 5.0
    assert [item["title"] for item in narrowed.incidents["new"]["items"]] == ["Search outage"]
    assert narrowed.incidents["follow_ups"]["count"] == 0


def test_the_page_and_the_exports_show_them(viewer_client, two_reviews):
    review_id = two_reviews["second"].id

    page = viewer_client.get(f"/reviews/{review_id}").get_data(as_text=True)
    markdown = viewer_client.get(f"/reviews/{review_id}.md").get_data(as_text=True)
    exported = viewer_client.get(f"/reviews/{review_id}/incidents.csv")

    assert "Incidents since the previous review" in page and "Fresh outage" in page
    assert "7 days: 17.0 of 20.16 min spent (84%), 3.2 left, availability 99.831%" in page
    assert "### Follow-ups created (1)" in markdown
    assert "- 28 days: 47.0 of 80.64 min spent (58%), 33.6 left" in markdown
    assert "Fresh outage (Payments): sev2, open, 12 impact min, resolved 2026-02-28" in markdown
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.mimetype == "text/csv"
    assert [(row["section"], row["title"]) for row in rows] == [
        ("new", "Fresh outage"),
        ("new", "Search outage"),
        ("follow_ups", "Add a replica"),
        ("unreviewed", "Search outage"),
        ("unreviewed", "Fresh outage"),
    ]
    assert rows[2]["incident"] == two_reviews["old"].key and rows[2]["horizon"] == "short"


def test_the_team_export_keeps_the_teams_incidents(viewer_client, two_reviews):
    review_id = two_reviews["second"].id

    markdown = viewer_client.get(f"/reviews/{review_id}.md?team=search").get_data(as_text=True)

    assert "Search outage" in markdown and "Fresh outage" not in markdown
    assert "- 7 days: 5.0 of 20.16 min spent" in markdown


def test_a_review_frozen_before_incidents_says_so(viewer_client, admin, clock):
    import json

    from tracker.extensions import db

    review = services.start_review(admin)
    snapshot = json.loads(review.snapshot)
    del snapshot["incidents"]
    review.snapshot = json.dumps(snapshot)
    db.session.commit()

    page = viewer_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    markdown = viewer_client.get(f"/reviews/{review.id}.md").get_data(as_text=True)

    assert "Incidents were not recorded with this review." in page
    assert "## Incidents\n\nNot recorded in this review." in markdown


def test_starting_a_review_costs_the_same_queries_with_few_and_many_incidents(
    admin, factory, payments, outage
):
    risk = factory.risk(team=payments)
    services.finish_review(services.start_review(admin), admin)  # so both have a previous one
    with counting_queries() as few:
        services.finish_review(services.start_review(admin), admin)
    for n in range(12):
        incident = outage(payments, n + 1, 3, title=f"Outage {n}")
        incidents.link_risk(incident, risk, None)
        follow_up(incident, risk, title=f"Fix {n}")
    with counting_queries() as many:
        services.finish_review(services.start_review(admin), admin)
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}"
