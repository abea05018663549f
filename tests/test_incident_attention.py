"""The dashboard's incident attention lists: estimates that look too low, reviews overdue, big
incidents without a follow-up; their bounds, team filter, and the full lists they link."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import record_incident
from tracker.dashboard import services as dashboard
from tracker.incidents import attention
from tracker.incidents import services as incidents
from tracker.mitigations.services import add_mitigation, update_mitigation
from tracker.risks import services as risk_services


@pytest.fixture
def outage(clock):
    """outage(team, days_ago, minutes, **fields): an hour-long incident, resolved."""
    return lambda team, days_ago, minutes, **fields: record_incident(
        team,
        clock.current - timedelta(days=days_ago),
        timedelta(hours=1),
        minutes,
        **{"title": f"Outage {days_ago} days ago", **fields},
    )


def lists(team=None) -> dict[str, attention.Listing]:
    return dashboard.build(team).incident_attention


def keys(listing) -> list[str]:
    return [getattr(item, "key", None) or item.risk.key for item in listing.items]


def quantified(factory, team, likelihood, bad_minutes_a_year):
    """A risk of `likelihood` whose estimate is `bad_minutes_a_year` (ETTD + ETTR = 1 minute,
    everyone, every 365.25 / n days)."""
    return factory.risk(
        team=team,
        likelihood=likelihood,
        ettd_minutes=0,
        ettr_minutes=1,
        users_impacted=1,
        ettf_days=365.25 / bad_minutes_a_year,
    )


class TestEstimateTooLow:
    def test_an_unlikely_risk_that_materialised_twice_in_a_year(self, factory, payments, outage):
        unlikely = factory.risk(team=payments, likelihood=2)
        likely = factory.risk(team=payments, likelihood=3)
        for risk in (unlikely, likely):
            for days_ago in (30, 300):
                incidents.link_risk(outage(payments, days_ago, 1), risk, None)

        calibrated = lists()["estimate_too_low"]

        assert keys(calibrated) == [unlikely.key]
        assert (calibrated.items[0].incidents, calibrated.items[0].bad_minutes) == (2, 2.0)

    def test_an_incident_older_than_a_year_does_not_count(self, factory, payments, outage):
        risk = factory.risk(team=payments, likelihood=1)
        incidents.link_risk(outage(payments, 30, 1), risk, None)
        incidents.link_risk(outage(payments, 366, 1), risk, None)

        assert lists()["estimate_too_low"].count == 0

    def test_a_risk_that_cost_more_than_twice_its_estimate(self, factory, payments, outage):
        over = quantified(factory, payments, 4, 10)
        at_twice = quantified(factory, payments, 4, 10)
        incidents.link_risk(outage(payments, 10, 21), over, None)
        incidents.link_risk(outage(payments, 11, 20), at_twice, None)

        assert keys(lists()["estimate_too_low"]) == [over.key]

    def test_only_live_risks_of_the_team(self, factory, payments, search, outage, admin):
        theirs = factory.risk(team=search, likelihood=1)
        closed = factory.risk(team=payments, likelihood=1)
        for risk in (theirs, closed):
            for days_ago in (5, 6):
                incidents.link_risk(outage(payments, days_ago, 1), risk, None)
        risk_services.change_status(closed, "closed", admin, reason="Gone.")

        assert keys(lists()["estimate_too_low"]) == [theirs.key]
        assert lists(payments)["estimate_too_low"].count == 0
        assert lists(search)["estimate_too_low"].count == 1

    def test_the_register_filter_shows_the_same_risks(
        self, viewer_client, factory, payments, outage
    ):
        flagged = factory.risk(team=payments, likelihood=1, title="Flagged one")
        factory.risk(team=payments, likelihood=1, title="Quiet one")
        for days_ago in (5, 6):
            incidents.link_risk(outage(payments, days_ago, 1), flagged, None)

        page = viewer_client.get("/risks?estimate=too_low").get_data(as_text=True)

        assert "Flagged one" in page and "Quiet one" not in page
        assert flagged.key in viewer_client.get("/").get_data(as_text=True)


class TestReviewOverdue:
    def test_resolved_more_than_the_review_days_ago_without_a_review(self, payments, outage):
        late = outage(payments, 9, 1)
        outage(payments, 5, 1)  # resolved 5 days ago: still in time
        outage(payments, 20, 1, review_date="2026-02-14")  # held
        closed = outage(payments, 30, 1)
        incidents.change_status(closed, "reviewing", None)
        incidents.change_status(closed, "closed", None)

        assert keys(lists()["review_overdue"]) == [late.key]

    @pytest.mark.app_config(INCIDENT_REVIEW_DAYS=3)
    def test_the_review_days_are_a_setting(self, payments, outage):
        outage(payments, 5, 1)

        assert lists()["review_overdue"].count == 1

    def test_a_review_planned_ahead_is_not_held_yet(self, payments, outage):
        planned = outage(payments, 9, 1, review_date="2026-03-05")

        assert keys(lists()["review_overdue"]) == [planned.key]


class TestNeedsFollowUp:
    def test_over_a_fifth_of_the_28_day_budget_without_a_follow_up(self, factory, payments, outage):
        risk = factory.risk(team=payments)
        big = outage(payments, 2, 17)
        followed = outage(payments, 3, 40)
        outage(payments, 4, 16)  # under 16.128 minutes
        incidents.link_risk(followed, risk, None)
        add_mitigation(
            risk,
            {
                "title": "Add a replica",
                "team": "payments",
                "due_date": "2026-04-01",
                "source_incident": followed.key,
                "horizon": "short",
            },
            None,
        )

        assert keys(lists()["needs_follow_up"]) == [big.key]

    def test_a_cancelled_follow_up_does_not_count(self, factory, payments, outage):
        risk = factory.risk(team=payments)
        big = outage(payments, 2, 30)
        incidents.link_risk(big, risk, None)
        follow_up = add_mitigation(
            risk,
            {
                "title": "Add a replica",
                "team": "payments",
                "due_date": "2026-04-01",
                "source_incident": big.key,
                "horizon": "long",
            },
            None,
        )
        assert lists()["needs_follow_up"].count == 0

        update_mitigation(
            follow_up, {"status": "cancelled"}, None, expected_version=follow_up.version
        )

        assert keys(lists()["needs_follow_up"]) == [big.key]


def test_lists_are_bounded_with_a_count_and_link_the_full_filtered_list(
    viewer_client, payments, search, outage
):
    for n in range(12):
        outage(payments, 10 + n, 20, title=f"Payments outage {n}")
    outage(search, 10, 20, title="Search outage")

    listing = lists(payments)["review_overdue"]
    page = viewer_client.get("/?team=payments").get_data(as_text=True)
    full = viewer_client.get("/incidents?attention=review_overdue&team=payments")

    assert (listing.count, len(listing.items)) == (12, attention.LIST_LIMIT)
    assert "/incidents?attention=review_overdue&amp;team=payments" in page
    assert "All 12 →" in page
    full_page = full.get_data(as_text=True)
    assert "12 incidents match this filter" in full_page
    assert "Search outage" not in full_page


def test_the_incident_list_names_an_unknown_attention_filter(viewer_client):
    page = viewer_client.get("/incidents?attention=everything").get_data(as_text=True)

    assert "Ignored attention &#39;everything&#39;" in page


def test_the_review_days_come_from_the_environment_and_may_not_be_negative(tmp_path):
    from tracker import ConfigurationError, create_app
    from tracker.config import settings_from_environment

    assert settings_from_environment({"INCIDENT_REVIEW_DAYS": "10"}) == {"INCIDENT_REVIEW_DAYS": 10}
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        "SECRET_KEY": "k" * 40,
        "INCIDENT_REVIEW_DAYS": -1,
    }
    with pytest.raises(ConfigurationError, match="INCIDENT_REVIEW_DAYS cannot be negative"):
        create_app(config)
