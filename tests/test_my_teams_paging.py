"""My teams in groups: overdue, due soon and later work, the first rows of each with its count,
the rest of a group page by page; a constant number of queries whatever the teams' backlog.

The clock fixture's "today" is 2026-03-02; DUE_SOON_DAYS is 14. The manager is in Payments.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries
from tests.test_mitigations import page_of, quick, row_of
from tracker.extensions import db
from tracker.mitigations import my_teams
from tracker.models import Mitigation, Risk

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Three rows of each group on the overview, four to a page of one group."""
    monkeypatch.setattr(my_teams, "PREVIEW_ROWS", 3)
    monkeypatch.setattr(my_teams, "PER_PAGE", 4)


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database in one zone")


def insert_work(risk: Risk, days_from_today: list[int], status: str = "planned") -> None:
    """One mitigation of the risk's team per offset, titled "Due <offset>"."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    db.session.execute(
        sa.insert(Mitigation),
        [{"risk_id": risk.id, "position": n, "title": f"Due {days:+d}", "description": "",
          "team_id": risk.team_id, "due_date": TODAY + timedelta(days=days),
          "original_due_date": TODAY + timedelta(days=days), "slip_count": 0, "status": status,
          "notes": "", "version": 1, "created_at": now, "updated_at": now}
         for n, days in enumerate(days_from_today)],
    )  # fmt: skip
    db.session.commit()


def titles(page: str) -> list[str]:
    return re.findall(r">(Due [+-]\d+)</a>", page)


def section(page: str, group: str) -> str:
    start = page.index(f'id="group-{group}"')
    return page[start : page.index("</section>", start)]


def test_the_overview_shows_the_first_rows_of_each_group_and_its_count(manager_client, risk):
    insert_work(risk, [-9, -8, -7, -6, -5, 0, 3, 20])
    page = page_of(manager_client, "/my-teams")
    overdue, due_soon, later = (section(page, g) for g in ("overdue", "due_soon", "later"))
    assert titles(overdue) == ["Due -9", "Due -8", "Due -7"]
    assert 'Overdue <span class="count">(5)</span>' in overdue
    assert 'href="/my-teams?group=overdue">Show all 5 (2 more)</a>' in overdue
    assert titles(due_soon) == ["Due +0", "Due +3"] and "Show all" not in due_soon
    assert titles(later) == ["Due +20"]


def test_an_empty_group_says_so(manager_client, risk):
    insert_work(risk, [20])
    page = page_of(manager_client, "/my-teams")
    assert "(0)" in section(page, "overdue") and "None." in section(page, "overdue")


def test_show_all_pages_through_one_group_in_due_order(manager_client, risk):
    insert_work(risk, [-1, -2, -3, -4, -5, -6, 5, 30])
    first = page_of(manager_client, "/my-teams?group=overdue")
    assert titles(first) == ["Due -6", "Due -5", "Due -4", "Due -3"]
    assert "1–4 of 6" in first and 'id="group-due_soon"' not in first
    assert 'href="/my-teams?group=overdue&amp;page=2" rel="next"' in first
    second = page_of(manager_client, "/my-teams?group=overdue&page=2")
    assert titles(second) == ["Due -2", "Due -1"]
    assert "5–6 of 6" in second and 'rel="prev"' in second and 'rel="next"' not in second
    # A page past the last shows the last; an unknown group shows the overview.
    assert titles(page_of(manager_client, "/my-teams?group=overdue&page=99")) == titles(second)
    assert 'id="group-later"' in page_of(manager_client, "/my-teams?group=nonsense")


def test_a_group_keeps_the_team_filter(manager_client, manager, search, risk, factory):
    manager.teams.append(search)
    db.session.commit()
    insert_work(risk, [-1, -2, -3, -4])
    insert_work(factory.risk(team=search, title="Search risk"), [-7])
    page = page_of(manager_client, "/my-teams?team=search")
    assert titles(page) == ["Due -7"]
    assert 'href="/my-teams?team=search&amp;group=overdue"' not in page  # nothing more to show
    page = page_of(manager_client, "/my-teams?team=payments")
    assert 'href="/my-teams?team=payments&amp;group=overdue">Show all 4' in page


def test_an_update_from_a_groups_page_comes_back_to_that_page(manager_client, risk):
    insert_work(risk, [-1, -2, -3, -4, -5, -6])
    page = page_of(manager_client, "/my-teams?group=overdue&page=2")
    mitigation = db.session.scalar(sa.select(Mitigation).where(Mitigation.title == "Due -1"))
    assert f'action="/mitigations/{mitigation.id}/quick?group=overdue&amp;page=2"' in page
    response = manager_client.post(
        f"/mitigations/{mitigation.id}/quick?group=overdue&page=2",
        data={"status": "in_progress", "due_date": mitigation.due_date.isoformat(),
              "reason": "", "note": "", "version": "1"},
    )  # fmt: skip
    assert response.location.endswith(f"/my-teams?group=overdue&page=2#m-{mitigation.id}")
    assert mitigation.status == "in_progress"


def test_a_refused_update_of_a_row_not_on_the_page_still_shows_with_its_message(
    manager_client, risk
):
    insert_work(risk, [-1, -2, -3, -4, -5])
    hidden = db.session.scalar(sa.select(Mitigation).where(Mitigation.title == "Due -1"))
    response = quick(manager_client, hidden, status="blocked", note="")
    page = page_of(manager_client, response.location)
    assert titles(section(page, "refused")) == ["Due -1"]
    assert "Say what the work is blocked on." in row_of(page, hidden)
    assert hidden.status == "planned"


def test_the_blocker_note_stays_on_the_row(manager_client, risk):
    insert_work(risk, [-1], status="blocked")
    blocked = db.session.scalar(sa.select(Mitigation))
    blocked.notes = "2026-03-01: waiting on the DB team's migration"
    db.session.commit()
    row = row_of(page_of(manager_client, "/my-teams"), blocked)
    assert "waiting on the DB team&#39;s migration" in row


@pytest.mark.parametrize("url", ["/my-teams", "/my-teams?group=later&page=2"])
def test_queries_do_not_grow_with_the_backlog(manager_client, risk, factory, payments, url):
    insert_work(risk, [-3, 1, 30, 40, 50])
    page_of(manager_client, url)  # warm: the first request loads extra state
    with counting_queries() as few:
        page_of(manager_client, url)
    for n in range(12):
        other = factory.risk(team=payments, title=f"Risk {n}")
        insert_work(other, [-n - 1, n % 14, 15 + n, 30 + n, 60 + n])
    with counting_queries() as many:
        page = page_of(manager_client, url)
    assert page.count('<tr id="m-') in (3 * 3, 4)
    assert len(many) == len(few), f"{len(few)} queries for 5 rows, {len(many)} for 65"


def test_a_group_pages_in_due_order_across_teams_statuses_and_archived_risks(
    factory, payments, search
):
    """Each (team, status) is read as its own ordered range; merged, the pages must still give
    the whole group in due order (ties by id), each row once, without archived risks' work."""
    from tracker.mitigations import queries

    ours = factory.risk(team=payments, title="Primary database in one zone")
    theirs = factory.risk(team=search, title="Index rebuild stalls")
    archived = factory.risk(team=payments, title="Old risk")
    statuses = ["planned", "in_progress", "blocked"]
    for n, days in enumerate([20, 31, 16, 16, 45, 22, 19, 60, 16, 25, 40, 17, 33, 16, 50, 27]):
        insert_work(ours if n % 2 else theirs, [days], status=statuses[n % 3])
    insert_work(ours, [17, 90], status="done")
    insert_work(archived, [18, 21])
    archived.archived_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.session.commit()

    team_ids = [payments.id, search.id]
    expected = list(
        db.session.scalars(
            sa.select(Mitigation.id)
            .where(
                Mitigation.risk_id.in_([ours.id, theirs.id]),
                Mitigation.status.in_(statuses),
            )
            .order_by(Mitigation.due_date, Mitigation.id)
        )
    )
    counts = queries.open_work_counts(team_ids, TODAY, 14)
    assert counts == {"overdue": 0, "due_soon": 0, "later": len(expected)}
    shown = []
    for page in range(1, 9):
        rows = queries.open_work_page(
            team_ids, "later", TODAY, 14, total=counts["later"], page=page, per_page=2
        )
        assert rows.page == page
        shown += [mitigation.id for mitigation in rows.items]
    assert shown == expected
