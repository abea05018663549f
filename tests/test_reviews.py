"""The weekly review: a frozen snapshot of the ranked register, what changed since the previous
review, decisions and notes, finishing, exports, permissions and query counts.

The clock fixture starts at 2026-03-02 09:00 UTC ("today" is 2026-03-02). The manager is in the
Payments team. Changes are made through the real services, so the history is the real one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.helpers import counting_queries
from tests.test_risks_register import insert_risks
from tracker.extensions import db
from tracker.mitigations import services as mitigation_services
from tracker.models import DriftFlag, Mitigation, Review, ReviewDecision, Risk, Team
from tracker.reviews import entries, queries, services, team_view
from tracker.reviews import routes as review_routes
from tracker.risks import services as risk_services
from tracker.validation import PermissionDenied, ValidationError

TODAY = date(2026, 3, 2)


@pytest.fixture
def db_risk(factory, payments, manager):
    """RISK-n scored 4 × 4 = 16 (critical), residual the same, quantified, owned by the
    manager."""
    return factory.risk(
        team=payments,
        owner=manager,
        title="Primary database in one zone",
        likelihood=4,
        impact=4,
        residual_likelihood=4,
        residual_impact=4,
        ettd_minutes=10,
        ettr_minutes=50,
        users_impacted=1,
        ettf_days=365.25,
    )


@pytest.fixture
def cache_risk(factory, search):
    """Scored 3 × 3 = 9 (medium)."""
    return factory.risk(team=search, title="Cache stampede on deploy")


def add_mitigation(risk: Risk, title: str, due: date, team: str = "payments") -> Mitigation:
    return mitigation_services.add_mitigation(
        risk, {"title": title, "team": team, "due_date": due}, None
    )


def update_mitigation(mitigation: Mitigation, actor, reason: str = "", **raw) -> None:
    mitigation_services.update_mitigation(
        mitigation, raw, actor, expected_version=mitigation.version, reason=reason
    )


def rescore(risk: Risk, actor, reason: str, **raw) -> None:
    risk_services.update_risk(risk, raw, actor, expected_version=risk.version, reason=reason)


def finish_and_wait(review: Review, admin, clock, days: int = 7) -> None:
    """Finish the review an hour in, then let the week pass."""
    clock.advance(hours=1)
    services.finish_review(review, admin)
    clock.advance(days=days, hours=-1)


def snapshot_of(review: Review) -> dict:
    """The review's frozen document with its ranked register (rows) read back as "risks"."""
    document = json.loads(review.snapshot)
    register = entries.page(review.id, entries.Frozen.of(document), None, 1, per_page=10_000)
    return {**document, "risks": register.items}


def changes_of(review: Review) -> dict:
    return json.loads(review.changes)


def keys(items: list[dict]) -> list[str]:
    return [item.get("key") or item["risk_key"] for item in items]


# Starting a review: the snapshot


def test_the_snapshot_lists_threatening_risks_in_priority_order(
    factory, admin, payments, db_risk, cache_risk
):
    high = factory.risk(team=payments, title="Certificate expiry", likelihood=3, impact=4)
    accepted = factory.risk(team=payments, title="Vendor DNS", likelihood=2, impact=2)
    risk_services.change_status(
        accepted, "accepted", admin, approver=admin, expires_on=date(2026, 6, 30)
    )
    closed = factory.risk(team=payments, title="Old load balancer", likelihood=5, impact=5)
    risk_services.change_status(closed, "closed", admin, reason="Decommissioned.")
    archived = factory.risk(team=payments, title="Duplicate", likelihood=5, impact=5)
    risk_services.archive(archived, admin)

    review = services.start_review(admin)

    snapshot = snapshot_of(review)
    assert keys(snapshot["risks"]) == [db_risk.key, high.key, cache_risk.key, accepted.key]
    assert [r["position"] for r in snapshot["risks"]] == [1, 2, 3, 4]
    assert review.risk_count == 4


def test_a_snapshot_entry_keeps_scores_factors_budget_and_mitigations(admin, db_risk):
    add_mitigation(db_risk, "Add a read replica", date(2026, 3, 1))
    add_mitigation(db_risk, "Multi-zone failover", date(2026, 4, 1))

    entry = snapshot_of(services.start_review(admin))["risks"][0]

    assert entry["key"] == db_risk.key
    assert entry["title"] == "Primary database in one zone"
    assert (entry["team_slug"], entry["team_name"]) == ("payments", "Payments")
    assert entry["owner"] == "Max Manager"
    assert (entry["score"], entry["band"], entry["status"]) == (16, "critical", "open")
    assert entry["bad_minutes"] == pytest.approx(60.0)
    assert entry["budget_share"] == pytest.approx(60.0 / 1051.92, rel=1e-4)
    assert entry["overdue_mitigations"] == 1
    assert entry["factors"] == [
        "critical band, score 16",
        "60 bad min/yr (6% of the error budget)",
        "1 overdue mitigation",
    ]
    assert [
        (m["title"], m["status"], m["due_date"], m["overdue"]) for m in entry["mitigations"]
    ] == [
        ("Add a read replica", "planned", "2026-03-01", True),
        ("Multi-zone failover", "planned", "2026-04-01", False),
    ]


def test_the_snapshot_keeps_the_budget_totals(admin, db_risk, cache_risk):
    budget = snapshot_of(services.start_review(admin))["budget"]

    assert budget["minutes"] == pytest.approx(1051.92, abs=0.01)
    assert budget["total"] == pytest.approx(60.0)
    assert budget["unmitigated"] == pytest.approx(60.0)
    assert budget["accepted"] == 0
    assert budget["quantified"] == 1


def test_later_edits_do_not_change_a_started_review(admin, admin_client, db_risk, clock):
    review = services.start_review(admin)
    clock.advance(minutes=10)
    rescore(db_risk, admin, "Failover tested", title="Database failover untested", likelihood=1)
    assert db_risk.score == 4

    page = admin_client.get(f"/reviews/{review.id}").get_data(as_text=True)

    assert "Primary database in one zone" in page
    assert "Database failover untested" not in page
    assert "16 · critical" in page
    assert snapshot_of(db.session.get(Review, review.id))["risks"][0]["score"] == 16


def test_starting_reopens_expired_acceptances_first(admin, db_risk, clock):
    risk_services.change_status(
        db_risk, "accepted", admin, approver=admin, expires_on=date(2026, 3, 5)
    )
    clock.advance(days=4)

    entry = snapshot_of(services.start_review(admin))["risks"][0]

    assert entry["status"] == "open"


def test_starting_a_review_costs_the_same_queries_for_few_and_many_risks(admin, factory, clock):
    team = factory.team()
    finish_and_wait(services.start_review(admin), admin, clock)
    insert_risks(3, team.id, admin.id)
    with counting_queries() as few:
        review = services.start_review(admin)
    finish_and_wait(review, admin, clock)
    insert_risks(60, team.id, admin.id)
    with counting_queries() as many:
        services.start_review(admin)
    assert len(few) == len(many)


# One open review at a time


def test_only_one_review_is_open_at_a_time(admin):
    first = services.start_review(admin)

    with pytest.raises(ValidationError) as refused:
        services.start_review(admin)

    assert f"Review #{first.id}" in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


def test_the_database_refuses_a_second_open_review(admin):
    services.start_review(admin)
    db.session.add(Review(started_by=admin, open_slot=1, snapshot="{}", changes="{}"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_review_can_start_once_the_open_one_is_finished(admin, clock):
    first = services.start_review(admin)
    finish_and_wait(first, admin, clock)

    second = services.start_review(admin)

    assert second.previous_review_id == first.id
    assert second.is_open and not first.is_open


def test_starting_from_the_page_while_one_is_open_says_so(admin, admin_client):
    services.start_review(admin)

    response = admin_client.post("/reviews", follow_redirects=True)

    assert "is still open" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


# Since the previous review


def test_the_first_review_treats_everything_as_new(admin, db_risk, cache_risk):
    add_mitigation(db_risk, "Add a read replica", date(2026, 2, 20))

    changes = changes_of(services.start_review(admin))

    assert changes["first"] is True and changes["since"] is None
    assert keys(changes["new_risks"]) == [db_risk.key, cache_risk.key]
    assert [m["title"] for m in changes["newly_overdue"]] == ["Add a read replica"]


def test_new_risks_are_those_created_since_the_previous_review(
    admin, factory, payments, db_risk, clock
):
    finish_and_wait(services.start_review(admin), admin, clock)
    new = factory.risk(team=payments, title="Queue backlog", likelihood=4, impact=3)

    changes = changes_of(services.start_review(admin))

    assert changes["first"] is False
    assert [(r["key"], r["title"], r["score"], r["band"]) for r in changes["new_risks"]] == [
        (new.key, "Queue backlog", 12, "high")
    ]


def test_closed_and_accepted_risks_are_listed_with_reasons(admin, db_risk, cache_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    risk_services.change_status(db_risk, "closed", admin, reason="Moved to Aurora.")
    risk_services.change_status(
        cache_risk, "accepted", admin, approver=admin, expires_on=date(2026, 6, 30)
    )

    closed = changes_of(services.start_review(admin))["closed"]

    assert [(c["key"], c["from"], c["to"], c["reason"], c["until"]) for c in closed] == [
        (db_risk.key, "open", "closed", "Moved to Aurora.", None),
        (cache_risk.key, "open", "accepted", "", "2026-06-30"),
    ]
    assert closed[0]["by"] == "Ada Admin"


def test_score_movers_show_old_and_new_score_band_and_reasons(admin, cache_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(cache_risk, admin, "Two stampedes this month", likelihood=5)
    rescore(cache_risk, admin, "It takes the checkout down", impact=4)

    [mover] = changes_of(services.start_review(admin))["movers"]

    assert mover["key"] == cache_risk.key
    assert (mover["old_score"], mover["old_band"]) == (9, "medium")
    assert (mover["new_score"], mover["new_band"]) == (20, "critical")
    assert [(r["field"], r["old"], r["new"], r["reason"]) for r in mover["reasons"]] == [
        ("Likelihood", "3", "5", "Two stampedes this month"),
        ("Impact", "3", "4", "It takes the checkout down"),
    ]


def test_a_score_changed_and_changed_back_is_not_a_mover(admin, cache_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(cache_risk, admin, "Looked worse", likelihood=5)
    rescore(cache_risk, admin, "It was not", likelihood=3)

    assert changes_of(services.start_review(admin))["movers"] == []


def test_residual_movers_are_listed_after_inherent_ones_with_their_reasons(
    admin, db_risk, cache_risk, clock
):
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(db_risk, admin, "Replica in two zones now", residual_likelihood=1)
    rescore(cache_risk, admin, "Two stampedes this month", likelihood=4)

    movers = changes_of(services.start_review(admin))["movers"]

    assert [(m["key"], m["score_kind"]) for m in movers] == [
        (cache_risk.key, "inherent"),
        (db_risk.key, "residual"),
    ]
    residual = movers[1]
    assert (residual["old_score"], residual["old_band"]) == (16, "critical")
    assert (residual["new_score"], residual["new_band"]) == (4, "low")
    assert [(r["field"], r["old"], r["new"], r["reason"]) for r in residual["reasons"]] == [
        ("Residual likelihood", "4", "1", "Replica in two zones now"),
    ]


def test_a_residual_mover_reads_as_residual_in_the_markdown_export(
    admin, viewer_client, db_risk, clock
):
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(db_risk, admin, "Replica in two zones now", residual_likelihood=1)
    review = services.start_review(admin)

    lines = viewer_client.get(f"/reviews/{review.id}.md").get_data(as_text=True).splitlines()

    assert (
        f"- {db_risk.key} Primary database in one zone (Payments): residual 16 critical → 4 low"
        " — Residual likelihood 4 → 1 (Ada Admin: “Replica in two zones now”)"
    ) in lines


def test_completed_mitigations_are_listed(admin, manager, db_risk, clock):
    replica = add_mitigation(db_risk, "Add a read replica", date(2026, 3, 20))
    add_mitigation(db_risk, "Multi-zone failover", date(2026, 4, 1))
    finish_and_wait(services.start_review(admin), admin, clock)
    update_mitigation(replica, manager, status="done")

    [done] = changes_of(services.start_review(admin))["completed"]

    assert (done["label"], done["title"], done["risk_key"]) == (
        replica.label,
        "Add a read replica",
        db_risk.key,
    )
    assert done["by"] == "Max Manager"


def test_slipped_due_dates_are_listed_with_reasons_and_pulled_in_ones_are_not(
    admin, manager, db_risk, clock
):
    late = add_mitigation(db_risk, "Add a read replica", date(2026, 3, 20))
    early = add_mitigation(db_risk, "Multi-zone failover", date(2026, 4, 1))
    finish_and_wait(services.start_review(admin), admin, clock)
    update_mitigation(late, manager, "Vendor delivery slipped", due_date="2026-04-10")
    update_mitigation(early, manager, "Team freed up", due_date="2026-03-25")

    [slip] = changes_of(services.start_review(admin))["slipped"]

    assert (slip["title"], slip["old"], slip["new"], slip["days"]) == (
        "Add a read replica",
        "2026-03-20",
        "2026-04-10",
        21,
    )
    assert (slip["reason"], slip["by"]) == ("Vendor delivery slipped", "Max Manager")


def test_newly_overdue_mitigations_were_not_overdue_at_the_previous_review(admin, db_risk, clock):
    add_mitigation(db_risk, "Already late", date(2026, 2, 27))
    add_mitigation(db_risk, "Due this week", date(2026, 3, 4))
    add_mitigation(db_risk, "Due next month", date(2026, 4, 1))
    finish_and_wait(services.start_review(admin), admin, clock)

    newly = changes_of(services.start_review(admin))["newly_overdue"]

    assert [(m["title"], m["due_date"], m["days_overdue"]) for m in newly] == [
        ("Due this week", "2026-03-04", 5)
    ]


def test_new_drift_is_drift_first_seen_after_the_previous_review_started(admin, db_risk, clock):
    replica = add_mitigation(db_risk, "Add a read replica", date(2026, 3, 20))
    old_flag = DriftFlag(
        risk=db_risk, mitigation=replica, kind="ticket_unassigned", ticket_key="OPS-1"
    )
    old_flag.first_seen = clock()
    db.session.add(old_flag)
    db.session.commit()
    finish_and_wait(services.start_review(admin), admin, clock)
    new_flag = DriftFlag(risk=db_risk, mitigation=replica, kind="ticket_due_later")
    new_flag.ticket_key, new_flag.first_seen = "OPS-2", clock()
    db.session.add(new_flag)
    db.session.commit()

    [drift] = changes_of(services.start_review(admin))["new_drift"]

    assert (drift["key"], drift["mitigation"], drift["ticket"], drift["kind"]) == (
        db_risk.key,
        replica.label,
        "OPS-2",
        "ticket_due_later",
    )


def test_changes_to_risks_archived_since_are_left_out(admin, db_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(db_risk, admin, "Worse", likelihood=5)
    risk_services.archive(db_risk, admin, "Duplicate of another risk")

    changes = changes_of(services.start_review(admin))

    assert changes["movers"] == []


def test_the_changes_are_frozen_with_the_review(admin, factory, payments, db_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    review = services.start_review(admin)
    clock.advance(minutes=5)
    factory.risk(team=payments, title="Created during the meeting")

    assert changes_of(db.session.get(Review, review.id))["new_risks"] == []


# Decisions


@pytest.fixture
def review(admin, db_risk, cache_risk):
    return services.start_review(admin)


def decide(review, actor, **fields):
    fields.setdefault("risk_key", review_risk_key(review))
    return services.record_decision(review, actor, **fields)


def review_risk_key(review) -> str:
    return snapshot_of(review)["risks"][0]["key"]


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"kind": "accept", "until": "2026-06-30"}, ("accept", date(2026, 6, 30), None)),
        ({"kind": "escalate", "note": "To the VP of engineering"}, ("escalate", None, None)),
        ({"kind": "rescore", "note": "Likelihood 2 after failover"}, ("rescore", None, None)),
        ({"kind": "assign", "assignee": "manager@example.com"}, ("assign", None, "Max Manager")),
        ({"kind": "note", "note": "Revisit after the game day"}, ("note", None, None)),
    ],
)
def test_a_valid_decision_is_recorded(review, admin, manager, fields, stored):
    decision = decide(review, admin, **fields)

    assignee = decision.assignee.display_name if decision.assignee else None
    assert (decision.kind, decision.until, assignee) == stored
    assert decision.created_by == admin
    assert decision.created_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_decision_does_not_change_the_risk(review, admin, db_risk):
    decide(review, admin, kind="accept", until="2026-06-30", risk_key=db_risk.key)

    assert db_risk.status == "open"
    assert db_risk.acceptance_expires is None


def test_an_assignee_may_be_given_by_user_id(review, admin, manager):
    assert decide(review, admin, kind="assign", assignee=str(manager.id)).assignee == manager


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "accept"}, "until", "Give the date the acceptance runs until."),
        ({"kind": "accept", "until": "2026-03-02"}, "until", "after today"),
        ({"kind": "accept", "until": "2026-02-01"}, "until", "after today"),
        ({"kind": "accept", "until": "next week"}, "until", "YYYY-MM-DD"),
        ({"kind": "escalate", "until": "2026-06-30", "note": "x"}, "until", "Only an acceptance"),
        ({"kind": "assign"}, "assignee", "Choose who"),
        ({"kind": "assign", "assignee": "nobody@example.com"}, "assignee", "No active user"),
        ({"kind": "note", "assignee": "manager@example.com", "note": "x"}, "assignee", "Only an"),
        ({"kind": "escalate"}, "note", "Say what was decided."),
        ({"kind": "note", "note": "x" * 2001}, "note", "at most 2000"),
        ({"kind": "veto", "note": "x"}, "kind", "must be one of"),
        ({"kind": "note", "note": "x", "risk_key": "RISK-999"}, "risk_key", "not in this review"),
    ],
)
def test_an_invalid_decision_is_refused(review, admin, manager, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        decide(review, admin, **fields)

    assert message in refused.value.errors[field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


def test_an_inactive_user_cannot_be_assigned(review, admin, factory):
    gone = factory.user(email="gone@example.com", role="manager", active=False)
    with pytest.raises(ValidationError) as refused:
        decide(review, admin, kind="assign", assignee=gone.email)
    assert "assignee" in refused.value.errors


def test_only_admins_record_decisions(review, manager):
    with pytest.raises(PermissionDenied):
        decide(review, manager, kind="note", note="Managers do not decide here")


def test_decisions_are_refused_once_the_review_is_finished(review, admin):
    services.finish_review(review, admin, "Done for this week.")

    with pytest.raises(services.ReviewFinished):
        decide(review, admin, kind="note", note="Too late")


def test_a_decision_racing_a_finish_is_refused(review, admin):
    assert review.is_open and review.snapshot  # this process has read the review as open …
    with db.engine.begin() as other_process:  # … when another one finishes it
        other_process.execute(
            sa.update(Review.__table__).values(
                finished_at=datetime(2026, 3, 2, 10, tzinfo=UTC), open_slot=None
            )
        )

    with pytest.raises(services.ReviewFinished):
        decide(review, admin, kind="note", note="Too late")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


# Notes and finishing


def test_finishing_saves_the_notes_and_freezes_the_review(review, admin, clock):
    clock.advance(minutes=45)

    services.finish_review(review, admin, "  Budget is at 6%; good week.  ")

    assert review.finished_at == datetime(2026, 3, 2, 9, 45, tzinfo=UTC)
    assert review.finished_by == admin
    assert review.notes == "Budget is at 6%; good week."
    assert review.open_slot is None
    with pytest.raises(services.ReviewFinished):
        services.save_notes(review, admin, "Changed afterwards")
    with pytest.raises(services.ReviewFinished):
        services.finish_review(review, admin)


def test_notes_can_be_saved_while_open(review, admin):
    services.save_notes(review, admin, "First half done.")
    assert db.session.get(Review, review.id).notes == "First half done."


def test_notes_have_a_length_limit(review, admin):
    with pytest.raises(ValidationError) as refused:
        services.save_notes(review, admin, "x" * 20_001)
    assert "notes" in refused.value.errors


def test_only_admins_finish(review, manager):
    with pytest.raises(PermissionDenied):
        services.finish_review(review, manager)


# Pages


def test_the_review_page_shows_the_register_changes_and_a_form_per_risk(
    admin_client, review, db_risk, cache_risk
):
    page = admin_client.get(f"/reviews/{review.id}").get_data(as_text=True)

    assert f'id="risk-{db_risk.key}"' in page and f'id="risk-{cache_risk.key}"' in page
    assert page.count('class="quick-form decision-form"') == 2
    assert "Since the start (first review: everything is new)" in page
    assert "it does not change the risk" in page
    assert "Finish review" in page


def test_a_decision_posted_from_the_page_shows_on_the_page(admin_client, review, db_risk):
    response = admin_client.post(
        f"/reviews/{review.id}/decisions",
        data={"risk_key": db_risk.key, "kind": "escalate", "note": "To the VP"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert f"Recorded the decision on {db_risk.key}." in page
    assert "To the VP" in page


def test_recording_a_decision_reads_no_page_of_the_register(admin_client, review, db_risk):
    """The post only records and redirects: the page it leads to reads the register."""
    with counting_queries() as statements:
        response = admin_client.post(
            f"/reviews/{review.id}/decisions",
            data={"risk_key": db_risk.key, "kind": "note", "note": "Seen"},
        )
    assert response.status_code == 302
    assert not [sql for sql in statements if "review_entries.title" in sql]


def test_a_refused_decision_shows_the_error_next_to_the_field_and_keeps_the_input(
    admin_client, review, db_risk
):
    response = admin_client.post(
        f"/reviews/{review.id}/decisions",
        data={"risk_key": db_risk.key, "kind": "accept", "until": "2026-01-01", "note": "Kept"},
    )

    assert response.status_code == 302
    assert response.location.endswith(f"/reviews/{review.id}#risk-{db_risk.key}")
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "The acceptance must run until a date after today." in page
    assert 'value="2026-01-01"' in page and 'value="Kept"' in page
    assert '<option value="accept" selected>' in page
    refreshed = admin_client.get(response.location).get_data(as_text=True)
    assert "The acceptance must run until" not in refreshed and 'value="Kept"' not in refreshed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


def test_a_decision_posted_to_a_finished_review_is_refused(admin_client, admin, review, db_risk):
    services.finish_review(review, admin)

    response = admin_client.post(
        f"/reviews/{review.id}/decisions",
        data={"risk_key": db_risk.key, "kind": "note", "note": "Late"},
    )

    assert response.status_code == 302
    assert "is finished" in admin_client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewDecision)) == 0


def test_finishing_from_the_page_keeps_the_notes_and_hides_the_forms(admin_client, review):
    response = admin_client.post(
        f"/reviews/{review.id}/finish",
        data={"notes": "Good week.", "confirmed": "yes"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Review finished" in page
    assert "Good week." in page
    assert "decision-form" not in page and "Finish review" not in page


def test_too_long_notes_show_the_error_next_to_the_field(admin_client, review):
    response = admin_client.post(f"/reviews/{review.id}/notes", data={"notes": "x" * 20_001})

    assert response.status_code == 400
    assert "Use at most 20000 characters for the notes." in response.get_data(as_text=True)
    assert db.session.get(Review, review.id).notes == ""


def test_the_list_shows_each_review_with_its_status_and_counts(
    admin, admin_client, review, db_risk, clock
):
    decide(review, admin, kind="note", note="One", risk_key=db_risk.key)
    finish_and_wait(review, admin, clock)
    services.start_review(admin)

    page = admin_client.get("/reviews").get_data(as_text=True)

    assert page.count("<tr") == 3  # header + two reviews
    assert "Continue review #" in page and "Start a review" not in page
    assert ">Finished<" in page and ">Open<" in page


def review_links(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td data-label="Review"><a href="/reviews/(\d+)">', page)]


def test_the_list_pages_the_reviews_newest_first_and_offers_the_open_one_from_any_page(
    admin, admin_client, db_risk, clock, monkeypatch
):
    monkeypatch.setattr(review_routes, "REVIEWS_PER_PAGE", 2)
    for _ in range(4):
        finish_and_wait(services.start_review(admin), admin, clock)
    open_one = services.start_review(admin)
    ids = sorted(db.session.scalars(sa.select(Review.id)), reverse=True)

    pages = [admin_client.get(f"/reviews?page={n}").get_data(as_text=True) for n in (1, 2, 3)]

    assert [review_links(page) for page in pages] == [ids[0:2], ids[2:4], ids[4:5]]
    assert all(f"Continue review #{open_one.id}" in page for page in pages)
    assert "3–4 of 5" in pages[1]
    assert review_links(admin_client.get("/reviews?page=oops").get_data(as_text=True)) == ids[:2]


def test_the_list_costs_the_same_queries_for_1_and_6_reviews(admin, admin_client, db_risk, clock):
    finish_and_wait(services.start_review(admin), admin, clock)
    admin_client.get("/reviews")
    with counting_queries() as few:
        admin_client.get("/reviews")
    for _ in range(5):
        review = services.start_review(admin)
        decide(review, admin, kind="note", note="Noted", risk_key=db_risk.key)
        finish_and_wait(review, admin, clock)
    with counting_queries() as many:
        page = admin_client.get("/reviews").get_data(as_text=True)
    assert len(review_links(page)) == 6
    assert len(many) == len(few)


def test_the_print_page_has_no_navigation_and_prints_the_review(viewer_client, admin, review):
    decide(review, admin, kind="escalate", note="To the VP")

    response = viewer_client.get(f"/reviews/{review.id}/print")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="print-page"' in page
    assert "<nav" not in page and "Sign out" not in page
    assert "Availability review 2026-03-02" in page
    assert "To the VP" in page and "Primary database in one zone" in page


def test_the_stylesheet_has_print_rules_for_the_print_page(client):
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".print-page" in css and "@media print" in css


# Exports


@pytest.fixture
def decided_review(admin, manager, review, db_risk, cache_risk, clock):
    decide(review, admin, kind="escalate", note="To the VP | today", risk_key=db_risk.key)
    decide(review, admin, kind="accept", until="2026-06-30", risk_key=cache_risk.key)
    clock.advance(minutes=30)
    services.finish_review(review, admin, "Budget at 6%.")
    return review


def test_the_markdown_export_has_the_headings_table_changes_decisions_and_notes(
    viewer_client, decided_review, db_risk, cache_risk
):
    response = viewer_client.get(f"/reviews/{decided_review.id}.md")

    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "# Availability review 2026-03-02"
    assert "- Status: finished 2026-03-02 09:30 UTC by Ada Admin" in lines
    assert "- Previous review: none (first review)" in lines
    assert [line for line in lines if line.startswith("## ")] == [
        "## Top risks",
        "## Blocked mitigations (0)",
        "## Error budget spent by incidents",
        "## Since the start (first review: everything is new)",
        "## Delivery in 2026Q1 (on time = by the original due date)",
        "## Decisions (2)",
        "## Notes",
    ]
    assert [line for line in lines if line.startswith("### ")] == [
        "### Incidents since the previous review (0)",
        "### Follow-ups created (0)",
        "### Incidents still without a review (0)",
        "### New risks (2)",
        "### Closed, accepted or mitigated (0)",
        "### Score and band movers (0)",
        "### Mitigations completed (0)",
        "### Due dates slipped (0)",
        "### Newly overdue mitigations (0)",
        "### New Jira drift (0)",
    ]
    table = [line for line in lines if line.startswith("| ")]
    assert table == [
        "| # | Risk | Title | Team | Owner | Score | Residual | Bad min/yr | Budget | Status "
        "| Decisions |",
        "| ---: | --- | --- | --- | --- | --- | --- | ---: | ---: | --- | --- |",
        f"| 1 | {db_risk.key} | Primary database in one zone | Payments | Max Manager "
        "| 16 critical | 16 critical | 60 | 5.7% | open | Escalate: To the VP \\| today |",
        f"| 2 | {cache_risk.key} | Cache stampede on deploy | Search | no owner "
        "| 9 medium | not assessed | — | — | open | Accept until 2026-06-30 |",
    ]
    assert (
        f"- {db_risk.key} Primary database in one zone: Escalate: To the VP | today (Ada Admin)"
        in lines
    )
    assert f"- {cache_risk.key} Cache stampede on deploy: Accept until 2026-06-30 (Ada Admin)" in (
        lines
    )
    assert text.endswith("## Notes\n\nBudget at 6%.\n")


def test_the_markdown_export_lists_each_change(admin, viewer_client, db_risk, clock):
    first = services.start_review(admin)
    finish_and_wait(first, admin, clock)
    rescore(db_risk, admin, "Failover tested", likelihood=2)
    review = services.start_review(admin)

    lines = viewer_client.get(f"/reviews/{review.id}.md").get_data(as_text=True).splitlines()

    assert "## Since the previous review (2026-03-02 09:00 UTC)" in lines
    assert f"- Previous review: #{first.id} of 2026-03-02" in lines
    assert (
        f"- {db_risk.key} Primary database in one zone (Payments): 16 critical → 8 medium — "
        "Likelihood 4 → 2 (Ada Admin: “Failover tested”)"
    ) in lines
    assert "### New risks (0)" in lines
    assert lines[lines.index("### New risks (0)") + 2] == "None."


def test_the_csv_export_has_one_row_per_reviewed_risk_with_its_decisions(
    viewer_client, decided_review, db_risk, cache_risk
):
    response = viewer_client.get(f"/reviews/{decided_review.id}.csv")

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "position",
        "risk",
        "title",
        "team",
        "owner",
        "status",
        "score",
        "band",
        "residual_score",
        "residual_band",
        "bad_minutes_per_year",
        "budget_share",
        "overdue_mitigations",
        "open_mitigations",
        "drift",
        "factors",
        "decisions",
    ]
    assert rows[1] == [
        "1",
        db_risk.key,
        "Primary database in one zone",
        "payments",
        "manager@example.com",
        "open",
        "16",
        "critical",
        "16",
        "critical",
        "60.00",
        "0.0570",
        "0",
        "0",
        "0",
        "critical band, score 16; 60 bad min/yr (6% of the error budget)",
        "Escalate: To the VP | today (Ada Admin)",
    ]
    assert rows[2][:2] == ["2", cache_risk.key]
    assert rows[2][-1] == "Accept until 2026-06-30 (Ada Admin)"
    assert len(rows) == 3


def test_the_csv_export_protects_cells_from_formulas(admin, viewer_client, factory, payments):
    factory.risk(team=payments, title="=HYPERLINK(1)")
    review = services.start_review(admin)

    rows = list(csv.reader(io.StringIO(viewer_client.get(f"/reviews/{review.id}.csv").text)))

    assert rows[1][2] == "'=HYPERLINK(1)"


# One team's view


@pytest.fixture
def two_team_review(admin, manager, db_risk, cache_risk, clock):
    """A second review after a week in which both teams' risks moved, Payments did work on
    Search's risk, and the cache risk was accepted for a quarter in the review."""
    finish_and_wait(services.start_review(admin), admin, clock)
    rescore(db_risk, admin, "Failover tested", likelihood=2)
    rescore(cache_risk, admin, "Two stampedes this month", likelihood=4)
    coalescing = add_mitigation(cache_risk, "Request coalescing", date(2026, 3, 20))
    update_mitigation(coalescing, manager, status="done")
    review = services.start_review(admin)
    decide(review, admin, kind="escalate", note="To the VP", risk_key=db_risk.key)
    decide(review, admin, kind="accept", until="2026-06-30", risk_key=cache_risk.key)
    return review


def test_a_team_sees_its_risks_the_changes_touching_it_and_their_decisions(
    viewer_client, two_team_review, db_risk, cache_risk
):
    page = viewer_client.get(f"/reviews/{two_team_review.id}?team=search").get_data(as_text=True)

    assert f'id="risk-{cache_risk.key}"' in page and f'id="risk-{db_risk.key}"' not in page
    assert "Search only" in page
    assert "until 2026-06-30" in page and "To the VP" not in page
    assert "Two stampedes this month" in page and "Failover tested" not in page


def test_work_a_team_does_on_another_teams_risk_shows_for_both(admin, two_team_review):
    view = queries.load(two_team_review.id)
    payments = db.session.scalar(sa.select(Team).filter_by(slug="payments"))
    search = db.session.scalar(sa.select(Team).filter_by(slug="search"))

    for team in (payments, search):
        completed = team_view.narrow(view, team).changes["completed"]
        assert [item["title"] for item in completed] == ["Request coalescing"], team.slug


def test_a_teams_budget_counts_only_its_quantified_risks(two_team_review, db_risk):
    view = queries.load(two_team_review.id)
    payments = db.session.scalar(sa.select(Team).filter_by(slug="payments"))
    search = db.session.scalar(sa.select(Team).filter_by(slug="search"))

    mine = team_view.narrow(view, payments).budget
    theirs = team_view.narrow(view, search).budget

    assert (mine["total"], mine["quantified"], mine["unmitigated"]) == (60, 1, 60)
    assert mine["share"] == pytest.approx(60 / view.budget["minutes"])
    assert (theirs["total"], theirs["quantified"], theirs["too_big"]) == (0, 0, [])
    assert view.budget["total"] == 60, "the whole review keeps the register's figures"


def test_positions_stay_those_of_the_whole_ranking(two_team_review, db_risk, cache_risk):
    view = queries.with_page(queries.load(two_team_review.id))
    search = db.session.scalar(sa.select(Team).filter_by(slug="search"))
    whole = {risk["key"]: risk["position"] for risk in view.risks}

    [risk] = queries.with_page(team_view.narrow(view, search)).risks

    assert risk["key"] == cache_risk.key and risk["position"] == whole[cache_risk.key]


def test_changes_frozen_before_team_slugs_were_kept_are_matched_by_team_name(
    two_team_review, cache_risk
):
    view = queries.load(two_team_review.id)
    for section in ("movers", "completed"):
        for item in view.changes[section]:
            item.pop("team_slug", None)
            item.pop("risk_team_slug", None)
    search = db.session.scalar(sa.select(Team).filter_by(slug="search"))

    narrowed = team_view.narrow(view, search)

    assert [m["key"] for m in narrowed.changes["movers"]] == [cache_risk.key]
    assert [c["title"] for c in narrowed.changes["completed"]] == ["Request coalescing"]


def test_the_markdown_export_of_one_team_says_so_and_lists_only_it(
    viewer_client, two_team_review, db_risk, cache_risk
):
    response = viewer_client.get(f"/reviews/{two_team_review.id}.md?team=payments")

    assert 'filename="review-' in response.headers["Content-Disposition"]
    assert '-payments.md"' in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "# Availability review 2026-03-09 — Payments"
    assert any(
        line.startswith("- Error budget:") and "the Payments team's risks expect 60" in line
        for line in lines
    )
    rows = [line for line in lines if line.startswith("| ")][2:]  # after header and rule
    assert [row.split(" | ")[:2] for row in rows] == [["| 2", db_risk.key]]
    assert "## Decisions (1)" in lines


def test_the_csv_export_of_one_team_has_only_its_rows(viewer_client, two_team_review, db_risk):
    response = viewer_client.get(f"/reviews/{two_team_review.id}.csv?team=payments")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[1] for row in rows[1:]] == [db_risk.key]


def test_an_unknown_team_shows_the_whole_page_and_refuses_the_exports(
    viewer_client, two_team_review, db_risk, cache_risk
):
    page = viewer_client.get(f"/reviews/{two_team_review.id}?team=nope")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "unknown team; showing all" in text
    assert f'id="risk-{db_risk.key}"' in text and f'id="risk-{cache_risk.key}"' in text
    for suffix in (".md", ".csv"):
        refused = viewer_client.get(f"/reviews/{two_team_review.id}{suffix}?team=nope")
        assert refused.status_code == 404
        assert "There is no team &#39;nope&#39;." in refused.get_data(as_text=True)


def test_a_decision_recorded_on_a_teams_page_returns_to_that_page(
    admin_client, two_team_review, cache_risk
):
    response = admin_client.post(
        f"/reviews/{two_team_review.id}/decisions?team=search",
        data={"risk_key": cache_risk.key, "kind": "note", "note": "Owner on leave"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/reviews/{two_team_review.id}?team=search#risk-{cache_risk.key}"
    )


# Permissions


@pytest.mark.parametrize("who", ["viewer_client", "manager_client"])
@pytest.mark.parametrize("suffix", ["", ".md", ".csv", "/print"])
def test_everyone_reads_reviews(request, who, review, suffix):
    client = request.getfixturevalue(who)
    assert client.get(f"/reviews/{review.id}{suffix}").status_code == 200
    assert client.get("/reviews").status_code == 200


@pytest.mark.parametrize("who", ["viewer_client", "manager_client"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {}),
        ("/decisions", {"risk_key": "RISK-1", "kind": "note", "note": "x"}),
        ("/notes", {"notes": "x"}),
        ("/finish", {"notes": "x"}),
    ],
)
def test_only_admins_write(request, who, review, path, data):
    client = request.getfixturevalue(who)
    url = "/reviews" if path == "" else f"/reviews/{review.id}{path}"

    assert client.post(url, data=data).status_code == 403
    assert db.session.get(Review, review.id).is_open
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


def test_readers_see_no_forms(viewer_client, review):
    page = viewer_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "decision-form" not in page and "Finish review" not in page
    assert "an admin records its decisions" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, review):
    assert client.get(f"/reviews/{review.id}.md").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_writes_need_the_csrf_token(admin_client, review, db_risk):
    response = admin_client.post(
        f"/reviews/{review.id}/decisions",
        data={"risk_key": db_risk.key, "kind": "note", "note": "x"},
    )
    assert response.status_code == 400
    assert admin_client.post("/reviews").status_code == 400


def test_an_unknown_review_is_404(viewer_client):
    assert viewer_client.get("/reviews/999").status_code == 404
    assert viewer_client.get("/reviews/999.md").status_code == 404


# Speed


def _with_mitigations(risk_ids: list[int], team_id: int) -> None:
    db.session.execute(
        sa.insert(Mitigation),
        [
            {
                "risk_id": risk_id,
                "title": f"Mitigation {n}",
                "team_id": team_id,
                "due_date": date(2026, 2, 1) + timedelta(days=n % 60),
                "original_due_date": date(2026, 2, 1),
                "status": "planned",
                "version": 1,
                "created_at": datetime(2026, 3, 1, tzinfo=UTC),
                "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
            }
            for n, risk_id in enumerate(risk_ids * 2)
        ],
    )
    db.session.commit()


def _review_page_queries(client, admin, review) -> list[str]:
    services.record_decision(review, admin, risk_key="RISK-1", kind="note", note="x")
    with counting_queries() as statements:
        assert client.get(f"/reviews/{review.id}").status_code == 200
    return statements


def test_the_review_page_costs_the_same_queries_for_few_and_many_risks(
    app, admin, admin_client, factory, clock
):
    team = factory.team()
    insert_risks(3, team.id, admin.id)
    _with_mitigations(list(db.session.scalars(sa.select(Risk.id))), team.id)
    few_review = services.start_review(admin)
    few = _review_page_queries(admin_client, admin, few_review)
    finish_and_wait(few_review, admin, clock)

    insert_risks(80, team.id, admin.id)
    _with_mitigations(list(db.session.scalars(sa.select(Risk.id).where(Risk.number > 3))), team.id)
    many_review = services.start_review(admin)
    assert many_review.risk_count == 83
    many = _review_page_queries(admin_client, admin, many_review)

    assert len(few) == len(many)


# Delivery figures frozen into the review


def test_a_review_freezes_each_teams_delivery_this_quarter(admin, admin_client, factory):
    from datetime import date

    from tests.test_roadmap import work

    sre = factory.team("sre", "SRE")
    risk = factory.risk(sre, title="Primary database in one zone")
    work(risk, sre, due_date=date(2026, 2, 1), status="done", completed_on=date(2026, 2, 5))
    work(risk, sre, due_date=date(2026, 1, 10), status="done", completed_on=date(2026, 1, 9))
    review_id = services.start_review(admin).id
    # A later change does not alter what the review saw.
    work(risk, sre, due_date=date(2026, 2, 20), status="blocked")

    page = admin_client.get(f"/reviews/{review_id}").get_data(as_text=True)
    text = admin_client.get(f"/reviews/{review_id}.md").get_data(as_text=True)

    line = "2 due, 2 completed, 1 on time (50%), 1 late (median 4 days)"
    assert f"<strong>SRE</strong>: {line}</li>" in page
    assert "blocked" not in page.split("delivery-title")[1].split("</section>")[0]
    assert f"- **SRE**: {line}" in text
