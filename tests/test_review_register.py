"""A review's frozen register as rows: ranks equal to the register's priority sort, the page
reads one page of ranks in a constant number of queries, the CSV streams every rank, decisions
on a risk far down the ranking, and the move of reviews stored as one JSON document.

The clock fixture starts at 2026-03-02 09:00 UTC.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.helpers import counting_queries
from tests.test_reviews import _with_mitigations, finish_and_wait, snapshot_of
from tests.test_risks_register import insert_risks
from tracker import clock as tracker_clock
from tracker.domain.lifecycle import is_active_sql
from tracker.extensions import db
from tracker.models import Mitigation, Review, ReviewEntry, ReviewMitigation, Risk
from tracker.reviews import blocked as review_blocked
from tracker.reviews import entries, services
from tracker.risks import queries as register_queries
from tracker.risks import settings as scoring_settings

PER_PAGE = entries.PER_PAGE


def _varied_register(team_id: int, owner_id: int, count: int) -> None:
    """`count` risks with ties broken by every step of the ranking rule: quantified and not,
    overdue work, overdue reviews, and statuses in and out of the review."""
    insert_risks(count, team_id, owner_id)
    ids = list(db.session.scalars(sa.select(Risk.id).order_by(Risk.number)))
    for n, risk_id in enumerate(ids):
        values = {}
        if n % 3 == 0:
            values["bad_minutes_per_year"] = float(n % 7) * 10
        if n % 11 == 0:
            values["status"] = "accepted"
        if n % 13 == 0:
            values["status"] = "closed"
        if n % 5 == 0:
            values["next_review"] = tracker_clock.today().replace(day=1)
        if values:
            db.session.execute(sa.update(Risk).where(Risk.id == risk_id).values(**values))
    _with_mitigations(ids[::4], team_id)


def _register_priority_keys() -> list[str]:
    settings = scoring_settings.current()
    view = register_queries.RegisterFilter(sort="priority")
    query = register_queries.filtered(view, settings, tracker_clock.today(), 14)
    return [risk.key for risk in db.session.scalars(query.where(is_active_sql(Risk.status)))]


@pytest.fixture
def big_review(admin, factory):
    """An open review of 120 varied risks (three pages of the register)."""
    team = factory.team()
    _varied_register(team.id, admin.id, 120)
    first = db.session.scalar(
        sa.select(Mitigation.id).join(Risk).where(Risk.status == "open").order_by(Mitigation.id)
    )
    db.session.execute(
        sa.update(Mitigation)
        .where(Mitigation.id == first)
        .values(status="blocked", notes="2026-02-27 Ada: asked\n2026-03-01 Ada: Waiting on DNS\n")
    )
    db.session.commit()
    return services.start_review(admin)


def test_the_frozen_ranks_are_the_registers_priority_sort(big_review):
    frozen = list(
        db.session.scalars(
            sa.select(ReviewEntry.risk_key)
            .where(ReviewEntry.review_id == big_review.id)
            .order_by(ReviewEntry.position)
        )
    )
    assert frozen == _register_priority_keys()
    assert big_review.risk_count == len(frozen) > 2 * PER_PAGE


def test_the_frozen_mitigations_belong_to_their_risks(big_review):
    rows = db.session.execute(
        sa.select(ReviewEntry.risk_key, ReviewMitigation.mitigation_id)
        .join(
            ReviewMitigation,
            sa.and_(
                ReviewMitigation.review_id == ReviewEntry.review_id,
                ReviewMitigation.entry_position == ReviewEntry.position,
            ),
        )
        .where(ReviewEntry.review_id == big_review.id)
    ).all()
    live = {
        m.id: m.risk.key
        for m in db.session.scalars(
            sa.select(Mitigation).join(Risk).where(is_active_sql(Risk.status))
        )
    }
    assert rows and {mitigation: key for key, mitigation in rows} == live


def _ranks_on(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td data-label="#">(\d+)</td>', html)]


def test_the_page_shows_the_first_ranks_and_page_two_the_next(viewer_client, big_review):
    first = viewer_client.get(f"/reviews/{big_review.id}").get_data(as_text=True)
    second = viewer_client.get(f"/reviews/{big_review.id}?page=2").get_data(as_text=True)

    assert _ranks_on(first) == list(range(1, PER_PAGE + 1))
    assert _ranks_on(second) == list(range(PER_PAGE + 1, 2 * PER_PAGE + 1))
    assert f"1–{PER_PAGE} of {big_review.risk_count}" in first
    assert "?page=2#register-title" in first


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("abc", "first"),
        ("-1", "first"),
        ("0", "first"),
        ("", "first"),
        ("999999999", "last"),
        ("99999999999999999999", "last"),
    ],
)
def test_a_page_number_that_is_not_a_page_shows_the_nearest_page(
    viewer_client, big_review, asked, shown
):
    response = viewer_client.get(f"/reviews/{big_review.id}?page={asked}")

    assert response.status_code == 200
    last_page_first = (big_review.risk_count - 1) // PER_PAGE * PER_PAGE + 1
    expected = 1 if shown == "first" else last_page_first
    assert _ranks_on(response.get_data(as_text=True))[0] == expected
    assert last_page_first > PER_PAGE


def _page_queries(client, url: str) -> int:
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_review_page_costs_the_same_queries_for_30_and_300_risks(
    admin, admin_client, factory, clock
):
    team = factory.team()
    _varied_register(team.id, admin.id, 30)
    small = services.start_review(admin)
    services.record_decision(small, admin, risk_key="RISK-2", kind="note", note="x")
    few = [
        _page_queries(admin_client, f"/reviews/{small.id}{q}") for q in ("", "?team=" + team.slug)
    ]
    finish_and_wait(small, admin, clock)

    insert_risks(270, team.id, admin.id)
    large = services.start_review(admin)
    services.record_decision(large, admin, risk_key="RISK-2", kind="note", note="x")
    many = [
        _page_queries(admin_client, f"/reviews/{large.id}{q}") for q in ("", "?team=" + team.slug)
    ]

    assert large.risk_count > 250
    assert few == many


def test_the_csv_streams_every_frozen_risk_in_rank_order(viewer_client, big_review):
    response = viewer_client.get(f"/reviews/{big_review.id}.csv")

    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["risk"] for row in rows] == _register_priority_keys()
    assert [int(row["position"]) for row in rows] == list(range(1, big_review.risk_count + 1))


def _tail_key(review: Review) -> str:
    return db.session.scalar(
        sa.select(ReviewEntry.risk_key).where(
            ReviewEntry.review_id == review.id, ReviewEntry.position == PER_PAGE + 10
        )
    )


def test_a_decision_on_a_risk_in_the_tail_returns_to_its_page(admin_client, big_review):
    key = _tail_key(big_review)

    response = admin_client.post(
        f"/reviews/{big_review.id}/decisions",
        data={"risk_key": key, "kind": "note", "note": "Later."},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reviews/{big_review.id}?page=2#risk-{key}")
    page = admin_client.get(f"/reviews/{big_review.id}?page=2").get_data(as_text=True)
    row = page.split(f'id="risk-{key}"')[1].split("</tr>")[0]
    assert "Later." in row


def test_a_refused_decision_on_a_risk_in_the_tail_shows_on_its_page(admin_client, big_review):
    key = _tail_key(big_review)

    response = admin_client.post(
        f"/reviews/{big_review.id}/decisions",
        data={"risk_key": key, "kind": "escalate", "note": ""},
        follow_redirects=True,
    )

    row = response.get_data(as_text=True).split(f'id="risk-{key}"')[1].split("</tr>")[0]
    assert "has-failed" in response.get_data(as_text=True)
    assert "Say what was decided." in row


def test_a_decision_on_a_risk_the_review_did_not_freeze_is_refused(admin, big_review):
    closed = db.session.scalar(sa.select(Risk).where(Risk.status == "closed").limit(1))

    with pytest.raises(services.ValidationError) as refused:
        services.record_decision(big_review, admin, risk_key=closed.key, kind="note", note="x")

    assert "is not in this review's register" in refused.value.errors["risk_key"]


def test_the_print_view_shows_the_first_page_and_points_to_the_csv(viewer_client, big_review):
    html = viewer_client.get(f"/reviews/{big_review.id}/print").get_data(as_text=True)

    assert f"The first {PER_PAGE} of {big_review.risk_count} risks" in html
    assert html.count("<tr><td>") == PER_PAGE


def test_newly_overdue_work_is_read_against_the_previous_reviews_rows(
    admin, factory, payments, clock
):
    from tests.test_reviews import add_mitigation

    risk = factory.risk(team=payments)
    late = add_mitigation(risk, "Late before", date(2026, 3, 1))
    later = add_mitigation(risk, "Late since", date(2026, 3, 5))
    first = services.start_review(admin)
    finish_and_wait(first, admin, clock)

    second = services.start_review(admin)

    labels = [item["label"] for item in json.loads(second.changes)["newly_overdue"]]
    assert later.label in labels and late.label not in labels


# Reviews stored as one JSON document (before migration 0022)


def test_a_review_survives_the_move_to_rows_and_back(app, admin, factory, payments, big_review):
    before = snapshot_of(db.session.get(Review, big_review.id))
    blocked_before = review_blocked.first(big_review.id)
    assert (
        blocked_before[1] == 1 and blocked_before[0][0]["note"] == "2026-03-01 Ada: Waiting on DNS"
    )
    db.session.remove()

    downgrade(revision="0021")
    try:
        with db.engine.connect() as connection:
            text = connection.execute(
                sa.text("SELECT snapshot FROM reviews WHERE id = :id"), {"id": big_review.id}
            ).scalar_one()
        old = json.loads(text)
        assert old["format"] == 1 and "blocked_rows" not in old
        assert [risk["key"] for risk in old["risks"]] == [risk["key"] for risk in before["risks"]]
        assert _same_but_counts(old["risks"], before["risks"])
        assert old["blocked"] == blocked_before[0]
    finally:
        upgrade()
    db.session.remove()

    after = snapshot_of(db.session.get(Review, big_review.id))
    assert after["format"] == 3
    assert after == before
    assert review_blocked.first(big_review.id) == blocked_before


def _same_but_counts(old: list[dict], new: list[dict]) -> bool:
    """The old document did not keep the count of open mitigations (it counted them)."""
    return [{k: v for k, v in r.items() if k != "open_mitigations"} for r in new] == old


def test_the_markdown_streams_and_lists_every_blocked_mitigation(viewer_client, big_review):
    response = viewer_client.get(f"/reviews/{big_review.id}.md")

    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert "## Blocked mitigations (1)" in text and "Waiting on DNS" in text


def test_the_page_shows_the_first_blocked_mitigations_and_counts_the_rest(
    admin, admin_client, factory
):
    team = factory.team()
    insert_risks(30, team.id, admin.id)
    _with_mitigations(list(db.session.scalars(sa.select(Risk.id))), team.id)
    db.session.execute(sa.update(Mitigation).values(status="blocked", notes="Waiting"))
    db.session.commit()
    review = services.start_review(admin)

    page = admin_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    section = page.split('id="blocked-title"')[1].split("</section>")[0]

    assert "(60)" in section
    assert section.count("<li>") == review_blocked.SHOWN
    assert f"and {60 - review_blocked.SHOWN} more" in section


def test_a_teams_view_lists_only_the_blocked_work_touching_it(
    admin, factory, viewer_client, big_review
):
    slug = db.session.scalar(
        sa.select(ReviewEntry.team_slug).where(ReviewEntry.review_id == big_review.id).limit(1)
    )
    other = factory.team()

    mine = viewer_client.get(f"/reviews/{big_review.id}.md?team={slug}").get_data(as_text=True)
    theirs = viewer_client.get(f"/reviews/{big_review.id}.md?team={other.slug}")

    assert "## Blocked mitigations (1)" in mine and "Waiting on DNS" in mine
    assert "## Blocked mitigations (0)" in theirs.get_data(as_text=True)
