"""Mitigation pages and services: permissions, reordering, conflicts, slips, status rules, the
risk they lower, due states, the "My teams" page, history and bad input.

The clock fixture starts at 2026-03-02 09:00 UTC, so "today" is 2026-03-02 unless a test moves
the clock or sets TIMEZONE. The manager is in the Payments team.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries
from tests.test_risks_register import insert_risks
from tracker.extensions import db
from tracker.mitigations import my_teams, queries, services
from tracker.models import Mitigation, Risk, RiskEvent, Team, User
from tracker.risks import services as risk_services
from tracker.validation import ValidationError

TODAY = date(2026, 3, 2)
DUE = date(2026, 3, 20)


@pytest.fixture
def risk(factory, payments):
    """An open risk of the manager's team, scored 3 × 4 = 12 (high)."""
    return factory.risk(team=payments, title="Primary database in one zone", impact=4)


@pytest.fixture
def search_risk(factory, search):
    return factory.risk(team=search, title="Search index rebuilt by hand")


@pytest.fixture
def mitigation(risk):
    """A planned mitigation of the manager's team, due 2026-03-20."""
    return add(risk, "Add a read replica")


def add(
    risk: Risk, title: str, due: date = DUE, *, team: str = "payments", actor=None, **fields
) -> Mitigation:
    """A mitigation made through the service (actor None: the tracker itself, unchecked)."""
    return services.add_mitigation(
        risk, {"title": title, "team": team, "due_date": due, **fields}, actor
    )


def update(mitigation: Mitigation, actor, reason: str = "", note: str = "", **raw) -> None:
    services.update_mitigation(mitigation, raw, actor, expected_version=mitigation.version,
                               reason=reason, note=note)  # fmt: skip


def new_data(**overrides) -> dict:
    """What the "Add mitigation" form posts."""
    data = {"title": "Add a read replica", "description": "Typed before the mistake",
            "team": "payments", "owner": "", "due_date": "2026-03-20", "status": "planned",
            "notes": ""}  # fmt: skip
    data.update(overrides)
    return data


def edit_data(mitigation: Mitigation, **overrides) -> dict:
    """What the edit form posts when loaded now: the mitigation's values and its version."""
    data = {
        "title": mitigation.title,
        "description": mitigation.description,
        "team": mitigation.team.slug,
        "owner": mitigation.owner.email if mitigation.owner else "",
        "due_date": mitigation.due_date.isoformat(),
        "status": mitigation.status,
        "notes": mitigation.notes,
        "reason": "",
        "version": str(mitigation.version),
    }
    data.update(overrides)
    return data


def quick_data(mitigation: Mitigation, **overrides) -> dict:
    """What a row of the "My teams" page posts when loaded now."""
    data = {"status": mitigation.status, "due_date": mitigation.due_date.isoformat(),
            "reason": "", "note": "", "version": str(mitigation.version)}  # fmt: skip
    data.update(overrides)
    return data


def edit(client, mitigation: Mitigation, **overrides):
    return client.post(
        f"/mitigations/{mitigation.id}/edit", data=edit_data(mitigation, **overrides)
    )


def quick(client, mitigation: Mitigation, **overrides):
    return client.post(
        f"/mitigations/{mitigation.id}/quick", data=quick_data(mitigation, **overrides)
    )


def move(client, mitigation: Mitigation, direction: str):
    return client.post(f"/mitigations/{mitigation.id}/move", data={"direction": direction})


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def row_of(page: str, mitigation: Mitigation) -> str:
    """The HTML of the mitigation's row: its <li> on a risk's page, its <tr> on "My teams"."""
    start = page.index(f'id="m-{mitigation.id}"')
    ends = [page.find(tag, start) for tag in ("</li>", "</tr>")]
    return page[start : min(end for end in ends if end != -1)]


def due_flag(row: str) -> str | None:
    for flag in ("Overdue", "Due soon"):
        if f">{flag}<" in row:
            return flag
    return None


def mitigation_section(page: str) -> str:
    start = page.index('id="mitigations"')
    return page[start : page.index("</section>", start)]


def titles_in_order(page: str, titles: list[str]) -> list[str]:
    """`titles` as the page orders them."""
    return sorted(titles, key=lambda title: page.index(f">{title}<"))


def timeline_entries(page: str) -> list[str]:
    """The entries of the History section on a risk's page, newest first."""
    history = page.split("<h2>History</h2>", 1)[1]
    timeline = history.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return timeline.split("<li>")[1:]


def alert_of(page: str) -> str:
    start = page.index('class="alert alert-error"')
    return page[start : page.index("</div>", start)]


def version_in(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def events_of(mitigation: Mitigation, field: str) -> list[RiskEvent]:
    return list(
        db.session.scalars(
            sa.select(RiskEvent)
            .where(RiskEvent.mitigation_id == mitigation.id, RiskEvent.field == field)
            .order_by(RiskEvent.id)
        )
    )


def risk_status_events(risk: Risk) -> list[RiskEvent]:
    """Changes to the risk's own status (not to its mitigations')."""
    return list(
        db.session.scalars(
            sa.select(RiskEvent)
            .where(
                RiskEvent.risk_id == risk.id,
                RiskEvent.mitigation_id.is_(None),
                RiskEvent.field == "status",
            )
            .order_by(RiskEvent.id)
        )
    )


class TestPermissions:
    def test_admin_edits_any_teams_mitigation(self, admin_client, search_risk, search):
        mitigation = add(search_risk, "Automate the rebuild", team="search")
        assert edit(admin_client, mitigation, title="Edited by the TPM").status_code == 302
        assert mitigation.title == "Edited by the TPM"

    def test_manager_edits_their_teams_mitigation_on_another_teams_risk(
        self, manager_client, search_risk
    ):
        mitigation = add(search_risk, "Payments stops calling the index")
        assert manager_client.get(f"/mitigations/{mitigation.id}/edit").status_code == 200
        assert edit(manager_client, mitigation, title="Cache the lookups").status_code == 302
        assert mitigation.title == "Cache the lookups"

    def test_manager_cannot_change_another_teams_mitigation(self, manager_client, risk, search):
        theirs = add(risk, "Search mirrors the index", team="search")
        url = f"/mitigations/{theirs.id}"
        assert manager_client.get(f"{url}/edit").status_code == 403
        assert edit(manager_client, theirs, title="Hijacked").status_code == 403
        assert quick(manager_client, theirs, status="in_progress").status_code == 403
        assert (theirs.title, theirs.status, theirs.version) == (
            "Search mirrors the index", "planned", 1,
        )  # fmt: skip

    def test_manager_cannot_add_a_mitigation_for_another_team(self, manager_client, risk, search):
        response = manager_client.post(
            f"/risks/{risk.key}/mitigations/new", data=new_data(team="search")
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'id="team-error"' in page
        assert "You can add mitigations only for your own teams." in page
        assert count(Mitigation) == 0

    def test_manager_adds_their_teams_mitigation_to_another_teams_risk(
        self, manager_client, manager, search_risk
    ):
        response = manager_client.post(
            f"/risks/{search_risk.key}/mitigations/new", data=new_data(team="payments")
        )
        assert response.status_code == 302
        [mitigation] = search_risk.mitigations
        assert (mitigation.team.slug, mitigation.created_by) == ("payments", manager)

    def test_viewer_reads_but_cannot_add_edit_update_or_move(self, viewer_client, risk):
        first, second = add(risk, "Add a read replica"), add(risk, "Test the failover")
        assert viewer_client.get(f"/risks/{risk.key}").status_code == 200
        assert viewer_client.get(f"/mitigations/{first.id}").status_code == 200
        refused = [
            viewer_client.get(f"/risks/{risk.key}/mitigations/new"),
            viewer_client.post(f"/risks/{risk.key}/mitigations/new", data=new_data()),
            viewer_client.get(f"/mitigations/{first.id}/edit"),
            edit(viewer_client, first, title="Viewer was here"),
            quick(viewer_client, first, status="in_progress"),
            move(viewer_client, second, "up"),
        ]
        assert [response.status_code for response in refused] == [403] * len(refused)
        assert count(Mitigation) == 2
        assert (first.title, first.status, first.position) == ("Add a read replica", "planned", 1)


class TestReordering:
    @pytest.mark.parametrize("who", ["admin_client", "manager_client"])
    def test_the_risks_owners_reorder_its_mitigations(self, request, risk, who):
        titles = ["Add a read replica", "Test the failover", "Write the runbook"]
        mitigations = [add(risk, title) for title in titles]
        client = request.getfixturevalue(who)
        assert move(client, mitigations[2], "up").status_code == 302
        page = mitigation_section(page_of(client, f"/risks/{risk.key}"))
        assert titles_in_order(page, titles) == [titles[0], titles[2], titles[1]]

    def test_manager_of_another_team_cannot_reorder(self, manager_client, search_risk):
        ours = add(search_risk, "Cache the lookups", team="payments")
        add(search_risk, "Automate the rebuild", team="search")
        assert move(manager_client, ours, "down").status_code == 403
        assert [m.title for m in search_risk.mitigations] == [
            "Cache the lookups", "Automate the rebuild",
        ]  # fmt: skip

    def test_reordering_leaves_versions_so_open_forms_stay_current(
        self, admin_client, manager_client, risk
    ):
        first, second = add(risk, "Add a read replica"), add(risk, "Test the failover")
        loaded = edit_data(first, title="Add two read replicas")
        move(admin_client, second, "up")
        assert [m.title for m in risk.mitigations] == ["Test the failover", "Add a read replica"]
        assert (first.version, second.version) == (1, 1)
        response = manager_client.post(f"/mitigations/{first.id}/edit", data=loaded)
        assert response.status_code == 302
        assert first.title == "Add two read replicas"


class TestVersionConflicts:
    def test_a_stale_edit_is_refused_showing_the_other_change_and_keeping_the_input(
        self, manager_client, admin, mitigation
    ):
        loaded = edit_data(mitigation, title="Add two read replicas")
        update(mitigation, admin, due_date=date(2026, 3, 27), reason="The vendor is late")
        response = manager_client.post(f"/mitigations/{mitigation.id}/edit", data=loaded)
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        conflict = alert_of(page)
        assert "Ada Admin" in conflict and "Due date" in conflict
        assert "The vendor is late" in conflict
        assert 'value="Add two read replicas"' in page, "the user's input is kept"
        assert (mitigation.title, mitigation.due_date, mitigation.version) == (
            "Add a read replica", date(2026, 3, 27), 2,
        )  # fmt: skip

    def test_after_seeing_the_conflict_saving_again_goes_through(
        self, manager_client, admin, mitigation
    ):
        loaded = edit_data(mitigation, title="Add two read replicas")
        update(mitigation, admin, description="Postgres streaming replication")
        refused = manager_client.post(f"/mitigations/{mitigation.id}/edit", data=loaded)
        resent = {**loaded, "version": version_in(refused.get_data(as_text=True))}
        response = manager_client.post(f"/mitigations/{mitigation.id}/edit", data=resent)
        assert response.status_code == 302
        assert mitigation.title == "Add two read replicas"

    def test_a_stale_quick_update_changes_nothing_and_says_why(
        self, manager_client, admin, mitigation
    ):
        loaded = quick_data(mitigation, status="done")
        update(mitigation, admin, status="in_progress")
        response = manager_client.post(f"/mitigations/{mitigation.id}/quick", data=loaded)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/my-teams")
        page = page_of(manager_client, response.headers["Location"])
        assert f"{mitigation.label} changed meanwhile (Status)" in alert_of(page)
        assert (mitigation.status, mitigation.completed_on) == ("in_progress", None)


class TestSlips:
    @pytest.mark.parametrize("new_due", ["2026-03-27", "2026-03-13"], ids=["later", "earlier"])
    def test_moving_the_due_date_needs_a_reason(self, manager_client, mitigation, new_due):
        response = edit(manager_client, mitigation, due_date=new_due, reason=" ")
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'id="reason-error"' in page and "Say why the due date moves" in page
        assert (mitigation.due_date, mitigation.version) == (DUE, 1)

    def test_moving_it_later_counts_slips_shown_on_my_teams_and_the_risk_page(
        self, manager_client, manager, risk, mitigation
    ):
        update(mitigation, manager, due_date=date(2026, 3, 30), reason="Vendor late")
        update(mitigation, manager, due_date=date(2026, 4, 12), reason="Change freeze")
        assert mitigation.slip_count == 2
        for url in ("/my-teams", f"/risks/{risk.key}"):
            assert "slipped 2×, +23 days" in row_of(page_of(manager_client, url), mitigation)

    def test_pulling_it_in_is_recorded_but_not_a_slip(self, manager_client, mitigation):
        response = quick(manager_client, mitigation, due_date="2026-03-13", reason="Ahead")
        assert response.status_code == 302
        assert (mitigation.due_date, mitigation.slip_count) == (date(2026, 3, 13), 0)
        [event] = events_of(mitigation, "due_date")
        assert (event.old_value, event.new_value, event.reason) == (
            "2026-03-20", "2026-03-13", "Ahead",
        )  # fmt: skip

    def test_the_original_due_date_never_changes(self, manager_client, mitigation):
        quick(manager_client, mitigation, due_date="2026-04-01", reason="Vendor late")
        edit(manager_client, mitigation, due_date="2026-03-10", reason="Found a shortcut")
        assert (mitigation.due_date, mitigation.original_due_date) == (date(2026, 3, 10), DUE)

    def test_its_page_lists_every_due_date_it_had_with_the_reasons(
        self, viewer_client, manager, mitigation
    ):
        update(mitigation, manager, due_date=date(2026, 3, 30), reason="Vendor late")
        update(mitigation, manager, due_date=date(2026, 3, 25), reason="Vendor early after all")
        page = page_of(viewer_client, f"/mitigations/{mitigation.id}")
        due_dates = page.split("<h2>Due dates</h2>", 1)[1].split("</ol>", 1)[0]
        for text in ("2026-03-20", "2026-03-30", "Vendor late", "2026-03-25",
                     "Vendor early after all"):  # fmt: skip
            assert text in due_dates


class TestStatusRules:
    def test_blocking_without_a_note_is_refused_on_the_edit_page(self, manager_client, mitigation):
        response = edit(manager_client, mitigation, status="blocked")
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'id="notes-error"' in page and "Say what the work is blocked on." in page
        assert mitigation.status == "planned"

    def test_blocking_without_a_note_is_refused_in_its_my_teams_row_keeping_the_input(
        self, manager_client, risk, mitigation
    ):
        other = add(risk, "Test the failover")
        response = quick(manager_client, mitigation, status="blocked", due_date="2026-03-27",
                         reason="Waiting for the vendor", note="")  # fmt: skip
        assert response.status_code == 302
        assert response.location.endswith(f"/my-teams#m-{mitigation.id}")
        page = manager_client.get(response.location).get_data(as_text=True)
        row = row_of(page, mitigation)
        assert "Say what the work is blocked on." in row
        assert "Say what the work is blocked on." not in row_of(page, other)
        assert 'value="blocked" selected' in row
        assert 'value="2026-03-27"' in row and 'value="Waiting for the vendor"' in row
        assert (mitigation.status, mitigation.due_date, mitigation.version) == ("planned", DUE, 1)

    def test_a_refused_quick_update_keeps_the_typed_note_in_its_row(
        self, manager_client, mitigation
    ):
        response = quick(manager_client, mitigation, due_date="2026-03-27",
                         note="Kick-off with the DBAs done")  # fmt: skip
        assert response.status_code == 302
        row = row_of(manager_client.get(response.location).get_data(as_text=True), mitigation)
        assert "Say why the due date moves" in row
        assert 'value="Kick-off with the DBAs done"' in row
        assert mitigation.notes == ""

    def test_refreshing_after_a_refused_quick_update_shows_the_page_without_the_refusal(
        self, manager_client, mitigation
    ):
        first = quick(manager_client, mitigation, due_date="2026-03-27", note="Kick-off done")
        shown = manager_client.get(first.location).get_data(as_text=True)
        assert "was not updated" in shown and 'value="Kick-off done"' in shown
        refreshed = manager_client.get(first.location).get_data(as_text=True)
        assert "Say why the due date moves" not in refreshed
        assert 'value="Kick-off done"' not in refreshed
        assert mitigation.version == 1

    def test_blocking_with_a_note_appends_it_dated_and_signed(
        self, manager_client, mitigation, clock
    ):
        update(mitigation, None, notes="Scoped with the DBAs.")
        clock.advance(days=2)
        response = quick(manager_client, mitigation, status="blocked",
                         note="Waiting on the network team")  # fmt: skip
        assert response.status_code == 302
        assert mitigation.status == "blocked"
        assert mitigation.notes == (
            "Scoped with the DBAs.\n2026-03-04 Max Manager: Waiting on the network team"
        )

    def test_done_sets_the_completion_date_to_today(self, manager_client, mitigation, clock):
        clock.advance(days=3)
        quick(manager_client, mitigation, status="done")
        assert (mitigation.status, mitigation.completed_on) == ("done", date(2026, 3, 5))

    def test_reopening_clears_the_completion_date(self, manager_client, manager, mitigation):
        update(mitigation, manager, status="done")
        edit(manager_client, mitigation, status="in_progress")
        assert (mitigation.status, mitigation.completed_on) == ("in_progress", None)


class TestRiskCoupling:
    def test_the_first_mitigation_to_start_moves_an_open_risk_to_mitigating(
        self, manager_client, manager, risk, mitigation
    ):
        add(risk, "Test the failover")
        quick(manager_client, mitigation, status="in_progress")
        assert risk.status == "mitigating"
        [event] = risk_status_events(risk)
        assert (event.old_value, event.new_value, event.actor_id) == (
            "open", "mitigating", manager.id,
        )  # fmt: skip
        assert event.reason == f"M-{mitigation.id} started: Add a read replica"
        assert event.reason in page_of(manager_client, f"/risks/{risk.key}")

    @pytest.mark.parametrize("status", ["mitigating", "accepted"])
    def test_a_risk_already_mitigating_or_accepted_is_left_alone(
        self, manager_client, admin, risk, mitigation, status
    ):
        risk_services.change_status(risk, status, admin, approver=admin,
                                    expires_on=date(2026, 6, 30))  # fmt: skip
        before = (risk.version, len(risk_status_events(risk)))
        quick(manager_client, mitigation, status="in_progress")
        assert mitigation.status == "in_progress"
        assert (risk.status, risk.version, len(risk_status_events(risk))) == (status, *before)

    def test_no_rescore_prompt_while_a_mitigation_is_open(self, viewer_client, admin, risk):
        update(add(risk, "Add a read replica"), admin, status="done")
        add(risk, "Test the failover")
        assert "Every mitigation is done." not in page_of(viewer_client, f"/risks/{risk.key}")
        assert queries.risks_needing_rescore() == []

    @pytest.mark.parametrize("last_status", ["done", "cancelled"])
    def test_every_mitigation_finished_asks_for_a_rescore(
        self, viewer_client, admin, risk, last_status
    ):
        update(add(risk, "Add a read replica"), admin, status="done")
        update(add(risk, "Test the failover"), admin, status=last_status)
        assert "Every mitigation is done." in page_of(viewer_client, f"/risks/{risk.key}")
        assert queries.risks_needing_rescore() == [risk]

    def test_moving_the_risk_to_mitigated_ends_the_rescore_prompt(
        self, viewer_client, admin, risk, mitigation
    ):
        update(mitigation, admin, status="done")
        risk_services.change_status(risk, "mitigated", admin, reason="Replica live")
        assert "Every mitigation is done." not in page_of(viewer_client, f"/risks/{risk.key}")
        assert queries.risks_needing_rescore() == []

    def test_the_tracker_never_changes_the_risks_scores(self, manager_client, risk, mitigation):
        scores = ("likelihood", "impact", "score", "residual_likelihood", "residual_impact",
                  "residual_score")  # fmt: skip
        before = {name: getattr(risk, name) for name in scores}
        second = add(risk, "Test the failover")
        for item in (mitigation, second):
            quick(manager_client, item, status="in_progress")
            quick(manager_client, item, status="done")
        assert (mitigation.status, second.status) == ("done", "done")
        assert {name: getattr(risk, name) for name in scores} == before


class TestDueStates:
    @pytest.mark.parametrize(
        ("days", "flag"),
        [(-1, "Overdue"), (0, "Due soon"), (14, "Due soon"), (15, None)],
        ids=["yesterday", "today", "last-day-of-window", "day-after-window"],
    )
    def test_due_state_on_the_risk_page_and_my_teams(self, manager_client, risk, days, flag):
        mitigation = add(risk, "Add a read replica", TODAY + timedelta(days=days))
        for url in (f"/risks/{risk.key}", "/my-teams"):
            assert due_flag(row_of(page_of(manager_client, url), mitigation)) == flag, url

    @pytest.mark.app_config(DUE_SOON_DAYS=3)
    @pytest.mark.parametrize(("days", "flag"), [(3, "Due soon"), (4, None)])
    def test_the_due_soon_window_is_a_setting(self, manager_client, risk, days, flag):
        mitigation = add(risk, "Add a read replica", TODAY + timedelta(days=days))
        for url in (f"/risks/{risk.key}", "/my-teams"):
            assert due_flag(row_of(page_of(manager_client, url), mitigation)) == flag, url

    def test_a_done_mitigation_due_yesterday_is_not_overdue(self, viewer_client, risk):
        mitigation = add(risk, "Add a read replica", TODAY - timedelta(days=1), status="done")
        row = row_of(page_of(viewer_client, f"/risks/{risk.key}"), mitigation)
        assert due_flag(row) is None
        assert "row-overdue" not in row, "nor styled as overdue"

    @pytest.mark.app_config(TIMEZONE="Pacific/Auckland")
    def test_overdue_follows_the_calendar_of_the_configured_time_zone(
        self, manager_client, risk, clock
    ):
        clock.current = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 2026-03-03 01:00 in Auckland
        mitigation = add(risk, "Add a read replica", date(2026, 3, 2))
        for url in (f"/risks/{risk.key}", "/my-teams"):
            assert due_flag(row_of(page_of(manager_client, url), mitigation)) == "Overdue", url


def insert_open_mitigations(count: int, team: Team) -> None:
    """Bulk-insert `count` planned mitigations of `team`, each on a risk and with an owner of
    its own (so a lazy load per row would show as a query per row)."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    first_user = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    db.session.execute(
        sa.insert(User),
        [{"email": f"owner{n}@example.com", "display_name": f"Owner {n}", "password_hash": "-",
          "role": "viewer", "active": True, "session_token": f"token-{n}", "created_at": now}
         for n in range(first_user, first_user + count)],
    )  # fmt: skip
    owner_ids = db.session.scalars(sa.select(User.id).where(User.id >= first_user)).all()
    first_risk = (db.session.scalar(sa.select(sa.func.max(Risk.id))) or 0) + 1
    insert_risks(count, team.id, owner_ids[0])
    risk_ids = db.session.scalars(sa.select(Risk.id).where(Risk.id >= first_risk)).all()
    rows = [
        {"risk_id": risk_id, "position": 1, "title": f"Mitigation {risk_id}", "description": "",
         "team_id": team.id, "owner_id": owner_id,
         "due_date": TODAY + timedelta(days=risk_id % 40 - 10),
         "original_due_date": TODAY + timedelta(days=risk_id % 40 - 10), "slip_count": 0,
         "status": "planned", "notes": "", "version": 1, "created_at": now, "updated_at": now}
        for risk_id, owner_id in zip(sorted(risk_ids), sorted(owner_ids), strict=True)
    ]  # fmt: skip
    db.session.execute(sa.insert(Mitigation), rows)
    db.session.commit()


class TestMyTeams:
    def test_lists_only_the_open_work_of_my_teams(self, manager_client, admin, factory, risk):
        archived = factory.risk(team=risk.team, title="Retired service")
        shown = ["Planned work", "Work in progress", "Blocked work"]
        add(risk, "Planned work")
        add(risk, "Work in progress", status="in_progress")
        add(risk, "Blocked work", status="blocked", notes="On the vendor")
        hidden = ["Finished work", "Dropped work", "Work of Search", "Work on an archived risk"]
        add(risk, "Finished work", status="done")
        add(risk, "Dropped work", status="cancelled")
        add(risk, "Work of Search", team=factory.team("search", "Search").slug)
        add(archived, "Work on an archived risk")
        risk_services.archive(archived, admin)
        page = page_of(manager_client, "/my-teams")
        assert [title for title in shown if f">{title}<" in page] == shown
        assert [title for title in hidden if title in page] == []

    def test_overdue_comes_first_then_by_due_date(self, manager_client, risk):
        days = {"In three weeks": 21, "Long overdue": -10, "Due in two days": 2,
                "Due today": 0, "Overdue by a day": -1}  # fmt: skip
        for title, offset in days.items():
            add(risk, title, TODAY + timedelta(days=offset))
        page = page_of(manager_client, "/my-teams")
        assert titles_in_order(page, list(days)) == [
            "Long overdue", "Overdue by a day", "Due today", "Due in two days", "In three weeks",
        ]  # fmt: skip

    def test_shows_the_risks_key_band_and_score(self, manager_client, risk, mitigation):
        row = row_of(page_of(manager_client, "/my-teams"), mitigation)
        assert f">{risk.key}<" in row and "12 · high" in row

    def test_a_team_filter_narrows_to_one_of_my_teams(self, manager_client, manager, search, risk):
        manager.teams.append(search)
        db.session.commit()
        add(risk, "Payments work")
        add(risk, "Search work", team="search")
        both = page_of(manager_client, "/my-teams")
        narrowed = page_of(manager_client, "/my-teams?team=search")
        assert ">Payments work<" in both and ">Search work<" in both
        assert ">Search work<" in narrowed and ">Payments work<" not in narrowed

    def test_a_team_filter_cannot_show_a_team_i_am_not_in(self, manager_client, search, risk):
        add(risk, "Payments work")
        add(risk, "Search work", team="search")
        page = page_of(manager_client, "/my-teams?team=search")
        assert ">Payments work<" in page and "Search work" not in page

    def test_a_user_in_no_team_is_told_why_the_page_is_empty(self, viewer_client):
        assert "You are not in a team yet." in page_of(viewer_client, "/my-teams")

    def test_costs_the_same_queries_for_5_and_500_open_mitigations(self, manager_client, payments):
        insert_open_mitigations(5, payments)
        page_of(manager_client, "/my-teams")  # warm: the first request loads extra state
        with counting_queries() as few:
            page = page_of(manager_client, "/my-teams")
        assert page.count('<tr id="m-') == 5
        insert_open_mitigations(495, payments)
        with counting_queries() as many:
            page = page_of(manager_client, "/my-teams")
        # The first rows of each group (overdue, due soon, later); the rest on demand.
        assert page.count('<tr id="m-') == 3 * my_teams.PREVIEW_ROWS
        assert len(many) == len(few), f"{len(few)} queries for 5 rows, {len(many)} for 500"


class TestHistory:
    @pytest.fixture
    def changed(self, manager_client, manager, risk):
        """A mitigation added by the manager, then started, moved and noted in one update;
        returns it with the risk page's timeline entries."""
        mitigation = add(risk, "Add a read replica", actor=manager)
        quick(manager_client, mitigation, status="in_progress", due_date="2026-03-27",
              reason="The vendor is late", note="Kick-off done")  # fmt: skip
        return mitigation, timeline_entries(page_of(manager_client, f"/risks/{risk.key}"))

    @staticmethod
    def entry(entries: list[str], *texts: str) -> str:
        [found] = [entry for entry in entries if all(text in entry for text in texts)]
        return found

    def test_every_mitigation_change_is_in_the_risk_timeline_with_who_and_why(self, changed):
        _, entries = changed
        self.entry(entries, "Max Manager", "added")
        for texts in (("Status", "from <strong>Planned</strong> to <strong>In progress</strong>"),
                      ("Due date", "2026-03-20", "2026-03-27"),
                      ("Kick-off done",)):  # fmt: skip
            self.entry(entries, "Max Manager", "The vendor is late", *texts)

    def test_the_timeline_names_the_mitigation_each_change_was_to(self, changed):
        mitigation, entries = changed
        for texts in (("added",), ("Planned", "In progress"), ("2026-03-20", "2026-03-27"),
                      ("Kick-off done",)):  # fmt: skip
            entry = self.entry(entries, *texts)
            assert f"M-{mitigation.id}" in entry and "Add a read replica" in entry, texts


class TestBadInput:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("title", "  ", "Give the title."),
            ("team", "nowhere", "No team has the slug"),
            ("due_date", "next week", "Give the due date as a date YYYY-MM-DD"),
        ],
    )
    def test_a_new_mitigation_with_bad_input_is_refused_next_to_the_field_and_kept(
        self, manager_client, risk, field, value, message
    ):
        events = count(RiskEvent)
        response = manager_client.post(
            f"/risks/{risk.key}/mitigations/new", data=new_data(**{field: value})
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f'id="{field}-error"' in page and message in page
        assert "Typed before the mistake" in page, "the input is kept"
        if field != "team":
            assert f'value="{value}"' in page
        assert (count(Mitigation), count(RiskEvent)) == (0, events)

    def test_an_edit_with_bad_input_saves_none_of_it(self, manager_client, mitigation):
        events = count(RiskEvent)
        response = edit(manager_client, mitigation, title="Add two read replicas",
                        due_date="next week", reason="Vendor late")  # fmt: skip
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'id="due_date-error"' in page and 'value="next week"' in page
        assert 'value="Add two read replicas"' in page
        assert (mitigation.title, mitigation.due_date, mitigation.version) == (
            "Add a read replica", DUE, 1,
        )  # fmt: skip
        assert count(RiskEvent) == events

    def test_the_service_refuses_an_unknown_team_without_saving(self, risk):
        with pytest.raises(ValidationError) as refused:
            add(risk, "Add a read replica", team="nowhere")
        assert set(refused.value.errors) == {"team"}
        assert count(Mitigation) == 0


class TestArchivedRisk:
    def test_mitigations_of_an_archived_risk_cannot_change(self, admin, mitigation, risk):
        risk_services.archive(risk, admin)
        with pytest.raises(ValidationError, match="archived"):
            services.update_mitigation(
                mitigation, {"status": "in_progress"}, admin, expected_version=mitigation.version
            )
        assert mitigation.status == "planned"
