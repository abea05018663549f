"""Risk pages and services: permissions, editing, conflicts, lifecycle, history, archive."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Risk, RiskEvent
from tracker.risks import services
from tracker.validation import ValidationError


@pytest.fixture
def other_team(factory):
    return factory.team("search", "Search")


def make_risk(team, actor=None, **fields) -> Risk:
    # The same values form_data() posts, so an unchanged form changes nothing.
    values = {
        "title": "Primary database in one zone",
        "category": "infrastructure",
        "team": team.slug,
        "likelihood": 3,
        "impact": 4,
        "residual_likelihood": 1,
        "residual_impact": 4,
        "service": "checkout",
        "tags": "aws, database",
        "description": "A zone outage takes the database down.",
    }
    values.update(fields)
    return services.create_risk(values, actor)


def form_data(risk: Risk | None = None, **overrides) -> dict:
    data = {
        "title": "Primary database in one zone",
        "description": "A zone outage takes the database down.",
        "category": "infrastructure",
        "service": "checkout",
        "team": "payments",
        "owner": "",
        "likelihood": "3",
        "impact": "4",
        "residual_likelihood": "1",
        "residual_impact": "4",
        "treatment": "mitigate",
        "next_review": "",
        "tags": "aws, database",
        "ettd_minutes": "",
        "ettr_minutes": "",
        "users_impacted": "",
        "ettf_days": "",
        "reason": "",
    }
    if risk is not None:
        data["version"] = str(risk.version)
    data.update(overrides)
    return data


def events_of(risk: Risk, field: str | None = None) -> list[RiskEvent]:
    query = sa.select(RiskEvent).where(RiskEvent.risk_id == risk.id).order_by(RiskEvent.id)
    if field:
        query = query.where(RiskEvent.field == field)
    return list(db.session.scalars(query))


class TestCreate:
    def test_manager_creates_a_risk_for_their_team(self, manager_client, payments):
        response = manager_client.post("/risks/new", data=form_data())
        assert response.status_code == 302
        risk = db.session.scalar(sa.select(Risk))
        assert response.headers["Location"] == f"/risks/{risk.key}"
        assert (risk.key, risk.score, risk.residual_score) == ("RISK-1", 12, 4)
        assert risk.tag_names == ["aws", "database"]
        assert risk.created_by.email == "manager@example.com"

    def test_new_risk_gets_its_next_review_from_the_band_cadence(
        self, manager_client, payments, clock
    ):
        manager_client.post("/risks/new", data=form_data())  # score 12: high, 14 days
        assert db.session.scalar(sa.select(Risk.next_review)) == date(2026, 3, 16)

    def test_keys_count_up_and_are_never_reused(self, admin, payments):
        first = make_risk(payments, admin)
        services.archive(first, admin)
        second = make_risk(payments, admin, title="Another")
        assert (first.key, second.key) == ("RISK-1", "RISK-2")

    def test_manager_cannot_create_a_risk_for_another_team(
        self, manager_client, payments, other_team
    ):
        response = manager_client.post("/risks/new", data=form_data(team="search"))
        assert response.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Risk)) == 0

    def test_viewer_cannot_create_risks(self, viewer_client, payments):
        assert viewer_client.get("/risks/new").status_code == 403
        assert viewer_client.post("/risks/new", data=form_data()).status_code == 403
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Risk)) == 0

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("title", "x" * 201, "at most 200 characters"),
            ("ettf_days", "0", "must be more than 0"),
            ("users_impacted", "1.5", "between 0 and 1"),
            ("ettd_minutes", "-5", "cannot be negative"),
        ],
    )
    def test_bad_input_is_refused_next_to_the_field_and_kept(
        self, manager_client, payments, field, value, message
    ):
        numbers = {
            "ettd_minutes": "10",
            "ettr_minutes": "20",
            "users_impacted": "0.5",
            "ettf_days": "30",
        }
        data = form_data(**{**numbers, field: value})
        response = manager_client.post("/risks/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f'id="{field}-error"' in page and message in page
        assert "A zone outage takes the database down." in page, "the input is kept"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Risk)) == 0

    def test_quantification_needs_all_four_numbers(self, manager_client, payments):
        response = manager_client.post("/risks/new", data=form_data(ettd_minutes="10"))
        assert response.status_code == 400
        assert "Give all four" in response.get_data(as_text=True)

    def test_quantified_risk_stores_its_bad_minutes(self, manager_client, payments):
        google_example = {
            "ettd_minutes": "1440",
            "ettr_minutes": "30",
            "users_impacted": "2%",
            "ettf_days": "90",
        }
        manager_client.post("/risks/new", data=form_data(**google_example))
        risk = db.session.scalar(sa.select(Risk))
        assert round(risk.bad_minutes_per_year) == 119
        page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        assert "11.3%" in page, "share of the 1,051.92-minute budget"


class TestEdit:
    def test_manager_edits_their_teams_risk_and_the_history_records_it(
        self, manager_client, manager, payments
    ):
        risk = make_risk(payments)
        response = manager_client.post(
            f"/risks/{risk.key}/edit",
            data=form_data(risk, title="DB in one AZ", likelihood="4", reason="Zone outages up"),
        )
        assert response.status_code == 302
        assert (risk.title, risk.score) == ("DB in one AZ", 16)
        [event] = events_of(risk, "likelihood")
        assert (event.old_value, event.new_value, event.reason) == ("3", "4", "Zone outages up")
        assert event.actor_id == manager.id

    def test_a_score_change_needs_a_reason(self, manager_client, payments):
        risk = make_risk(payments)
        response = manager_client.post(f"/risks/{risk.key}/edit", data=form_data(risk, impact="5"))
        assert response.status_code == 400
        assert "Say why the score changes" in response.get_data(as_text=True)
        assert risk.impact == 4

    def test_manager_cannot_edit_another_teams_risk(self, manager_client, other_team):
        risk = make_risk(other_team)
        assert manager_client.get(f"/risks/{risk.key}/edit").status_code == 403
        data = form_data(risk, team="search", title="Changed")
        assert manager_client.post(f"/risks/{risk.key}/edit", data=data).status_code == 403
        assert risk.title == "Primary database in one zone"

    def test_manager_cannot_move_a_risk_to_another_team(self, manager_client, payments, other_team):
        risk = make_risk(payments)
        response = manager_client.post(
            f"/risks/{risk.key}/edit", data=form_data(risk, team="search")
        )
        assert response.status_code == 400
        assert risk.team.slug == "payments"

    def test_viewer_reads_but_cannot_edit(self, viewer_client, payments):
        risk = make_risk(payments)
        assert viewer_client.get(f"/risks/{risk.key}").status_code == 200
        assert viewer_client.get(f"/risks/{risk.key}/edit").status_code == 403

    def test_admin_edits_any_teams_risk(self, admin_client, other_team):
        risk = make_risk(other_team)
        data = form_data(risk, team="search", title="Edited by the TPM")
        assert admin_client.post(f"/risks/{risk.key}/edit", data=data).status_code == 302
        assert risk.title == "Edited by the TPM"

    def test_saving_from_a_stale_version_is_refused_and_shows_the_other_change(
        self, manager_client, admin, payments
    ):
        risk = make_risk(payments)
        loaded_at = risk.version
        services.update_risk(
            risk, {"impact": 5}, admin, expected_version=loaded_at, reason="Checkout depends on it"
        )
        response = manager_client.post(
            f"/risks/{risk.key}/edit",
            data=form_data(risk, title="My new title", version=str(loaded_at)),
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Someone saved this risk while you were editing" in page
        assert "Ada Admin" in page and "Checkout depends on it" in page
        assert 'value="My new title"' in page, "the user's input is kept"
        assert risk.title == "Primary database in one zone"

    def test_after_seeing_the_conflict_saving_again_goes_through(
        self, manager_client, admin, payments
    ):
        risk = make_risk(payments)
        services.update_risk(risk, {"title": "Theirs"}, admin, expected_version=risk.version)
        response = manager_client.post(
            f"/risks/{risk.key}/edit", data=form_data(risk, title="Mine", version="1")
        )
        page = response.get_data(as_text=True)
        version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
        manager_client.post(
            f"/risks/{risk.key}/edit", data=form_data(risk, title="Mine", version=version)
        )
        assert risk.title == "Mine"

    def test_saving_without_changes_records_nothing(self, manager_client, payments):
        risk = make_risk(payments)
        before = (risk.version, len(events_of(risk)))
        manager_client.post(f"/risks/{risk.key}/edit", data=form_data(risk))
        assert (risk.version, len(events_of(risk))) == before


class TestLifecycle:
    def post_status(self, client, risk, **data):
        data.setdefault("version", str(risk.version))
        return client.post(f"/risks/{risk.key}/status", data=data)

    def test_accepting_needs_an_approver_and_a_future_expiry(self, manager_client, payments):
        risk = make_risk(payments)
        response = self.post_status(
            manager_client, risk, status="accepted", approver="", expires_on="2026-03-01"
        )
        assert response.status_code == 302
        page = manager_client.get(response.location).get_data(as_text=True)
        assert "Name who approves" in page and "must expire after today" in page
        assert risk.status == "open"

    def test_an_expiry_that_is_not_a_date_gets_the_products_words(self, manager_client, payments):
        risk = make_risk(payments)
        self.post_status(manager_client, risk, status="accepted", expires_on="next june")
        page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        assert (
            "Give the acceptance expiry date as a date YYYY-MM-DD (got &#39;next june&#39;)" in page
        )
        assert "Not a valid date value" not in page

    def test_the_menu_starts_on_the_current_status_and_offers_only_allowed_moves(
        self, manager_client, manager, payments
    ):
        risk = make_risk(payments)
        services.change_status(risk, "mitigating", manager)
        page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        menu = re.search(r'<select[^>]*id="status-status".*?</select>', page, re.S).group(0)
        options = re.findall(r'<option (selected )?value="(\w+)"', menu)
        assert options == [
            ("selected ", "mitigating"),
            ("", "open"),
            ("", "mitigated"),
            ("", "accepted"),
            ("", "closed"),
        ]
        assert "Mitigating (current)" in menu

    def test_submitting_the_menu_as_it_opens_keeps_the_status(
        self, manager_client, manager, payments
    ):
        risk = make_risk(payments)
        services.change_status(risk, "mitigating", manager)
        response = self.post_status(manager_client, risk, status="mitigating", reason="typo")
        page = manager_client.get(response.location).get_data(as_text=True)
        assert risk.status == "mitigating"
        assert "The risk is already mitigating." in page

    def test_a_refused_change_redirects_and_shows_its_input_once(self, manager_client, payments):
        risk = make_risk(payments)
        response = self.post_status(manager_client, risk, status="closed", reason=" ")
        assert response.status_code == 302
        assert response.location.endswith(f"/risks/{risk.key}#status")
        page = manager_client.get(response.location).get_data(as_text=True)
        assert "Say why you are closing the risk." in page
        assert re.search(r'<option selected value="closed">', page)
        again = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        assert "Say why you are closing the risk." not in again

    def test_accepted_risk_records_approver_and_expiry(self, manager_client, admin, payments):
        risk = make_risk(payments)
        self.post_status(
            manager_client, risk, status="accepted", approver=str(admin.id), expires_on="2026-06-30"
        )
        assert risk.status == "accepted"
        assert (risk.accepted_by, risk.acceptance_expires) == (admin, date(2026, 6, 30))

    def test_expired_acceptance_reopens_on_the_next_page_load(
        self, viewer_client, admin, payments, clock
    ):
        risk = make_risk(payments)
        services.change_status(
            risk, "accepted", admin, approver=admin, expires_on=date(2026, 3, 10)
        )
        clock.advance(days=7)
        assert viewer_client.get("/risks").status_code == 200
        assert risk.status == "accepted", "still accepted on the 9th: it expires on the 10th"
        clock.advance(days=1)
        page = viewer_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        assert risk.status == "open"
        assert "Acceptance expired on 2026-03-10." in page

    @pytest.mark.parametrize("target", ["closed", "open"])
    def test_closing_and_reopening_need_a_reason_and_record_who(
        self, manager_client, manager, payments, target
    ):
        risk = make_risk(payments)
        if target == "open":
            services.change_status(risk, "closed", manager, reason="Decommissioned")
        refused = self.post_status(manager_client, risk, status=target, reason=" ")
        assert refused.status_code == 302
        assert risk.status != target
        self.post_status(manager_client, risk, status=target, reason="Because")
        assert risk.status == target
        event = events_of(risk, "status")[-1]
        assert (event.new_value, event.reason, event.actor_id) == (target, "Because", manager.id)

    def test_a_move_the_lifecycle_forbids_is_refused(self, manager_client, manager, payments):
        risk = make_risk(payments)
        services.change_status(risk, "closed", manager, reason="Gone")
        response = self.post_status(manager_client, risk, status="mitigated")
        page = manager_client.get(response.location).get_data(as_text=True)
        assert "A closed risk can move to open" in page

    def test_viewer_cannot_change_status(self, viewer_client, payments):
        risk = make_risk(payments)
        assert self.post_status(viewer_client, risk, status="mitigating").status_code == 403
        assert risk.status == "open"

    def test_marking_reviewed_sets_the_next_review_from_the_cadence(
        self, manager_client, payments, clock
    ):
        risk = make_risk(payments, likelihood=5, impact=5)  # critical: weekly
        clock.advance(days=3)
        manager_client.post(f"/risks/{risk.key}/review", data={"note": "Checked"})
        assert risk.next_review == date(2026, 3, 12)
        assert events_of(risk, "reviewed")[0].reason == "Checked"


class TestArchive:
    def test_admin_archives_a_risk_out_of_the_register_keeping_its_history(
        self, admin_client, payments
    ):
        risk = make_risk(payments)
        admin_client.post(
            f"/risks/{risk.key}/archive", data={"reason": "Duplicate", "confirmed": "yes"}
        )
        assert risk.archived_at is not None
        link = f'href="/risks/{risk.key}"'
        assert link not in admin_client.get("/risks").get_data(as_text=True)
        assert link in admin_client.get("/risks?archived=1").get_data(as_text=True)
        page = admin_client.get(f"/risks/{risk.key}").get_data(as_text=True)
        assert "This risk is archived" in page and "Duplicate" in page

    def test_admin_restores_an_archived_risk(self, admin_client, admin, payments):
        risk = make_risk(payments)
        services.archive(risk, admin)
        admin_client.post(f"/risks/{risk.key}/restore")
        assert risk.archived_at is None
        assert f'href="/risks/{risk.key}"' in admin_client.get("/risks").get_data(as_text=True)

    def test_managers_cannot_archive(self, manager_client, payments):
        risk = make_risk(payments)
        assert manager_client.post(f"/risks/{risk.key}/archive").status_code == 403
        assert risk.archived_at is None


def test_unknown_key_is_404(viewer_client):
    assert viewer_client.get("/risks/RISK-999").status_code == 404
    assert viewer_client.get("/risks/not-a-key").status_code == 404


class TestFieldRules:
    def test_a_thousands_separator_is_refused_rather_than_guessed(self, manager_client, payments):
        data = form_data(
            ettd_minutes="1,440", ettr_minutes="30", users_impacted="0,02", ettf_days="90"
        )
        response = manager_client.post("/risks/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "without a thousands separator: 1440 or 1.44" in page
        assert 'id="users_impacted-error"' not in page, "0,02 is a comma decimal, accepted"

    def test_a_bad_likelihood_is_reported_once_not_on_the_residual_too(self, payments):
        values = {
            "title": "T",
            "category": "data",
            "team": "payments",
            "likelihood": 9,
            "impact": 2,
        }
        with pytest.raises(ValidationError) as refused:
            services.create_risk(values, None)
        assert set(refused.value.errors) == {"likelihood"}

    def test_changing_tags_and_a_field_together_is_one_version(self, admin, payments):
        risk = make_risk(payments)
        services.update_risk(risk, {"tags": "new-tag", "service": "api"}, admin, expected_version=1)
        assert risk.version == 2
        assert {event.version for event in events_of(risk)} == {1, 2}

    def test_a_tiny_change_to_a_number_is_still_recorded(self, admin, payments):
        risk = make_risk(
            payments, ettd_minutes=10, ettr_minutes=20, users_impacted=0.0123456789, ettf_days=30
        )
        services.update_risk(risk, {"users_impacted": 0.0123456788}, admin, expected_version=1)
        [event] = events_of(risk, "users_impacted")
        assert (event.old_value, event.new_value) == ("0.0123456789", "0.0123456788")
