"""People read labels and well-formed plurals, never stored codes or a library's words."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.words import plural
from tracker.jira import links as jira_links
from tracker.mitigations.services import add_mitigation, update_mitigation
from tracker.models import SyncRun


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "risk", "0 risks"),
        (1, "risk", "1 risk"),
        (2, "match", "2 matches"),
        (1500, "minute", "1,500 minutes"),
    ],
)
def test_plural(count, word, expected):
    assert plural(count, word) == expected


def test_history_shows_labels_and_names_not_codes(manager_client, manager, payments, factory):
    factory.team("search", "Search Team")
    risk = factory.risk(payments)
    mitigation = add_mitigation(
        risk, {"title": "Replica", "team": "payments", "due_date": date(2026, 5, 1)}, manager
    )
    update_mitigation(mitigation, {"status": "in_progress", "owner": manager.email}, manager,
                      expected_version=None)  # fmt: skip
    page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert "from <strong>Planned</strong> to <strong>In progress</strong>" in page
    assert "to <strong>Max Manager</strong>" in page
    assert "in_progress" not in page.split('class="timeline"')[1]


def test_a_jira_status_category_reads_as_a_label(manager_client, manager, payments, factory):
    risk = factory.risk(payments)
    link = jira_links.add_link(risk, "OPS-1", manager)
    link.ticket.status, link.ticket.status_category = "Doing", "indeterminate"
    link.ticket.synced_at = link.created_at
    from tracker.extensions import db

    db.session.commit()
    page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert "(In progress)" in page and "indeterminate" not in page


def test_the_register_counts_in_words(viewer_client, factory, payments):
    factory.risk(payments, title="Only one")
    page = viewer_client.get("/risks?q=Only").get_data(as_text=True)
    assert "1 risk matches this filter." in page


def test_residual_heat_map_cells_say_residual(viewer_client, factory, payments):
    factory.risk(payments, likelihood=3, impact=3, residual_likelihood=2, residual_impact=2)
    page = viewer_client.get("/").get_data(as_text=True)
    assert 'aria-label="1 risk at residual likelihood 2, residual impact 2"' in page
    assert 'aria-label="1 risk at inherent likelihood 3, inherent impact 3"' in page


def test_the_sync_list_says_what_moved(admin_client):
    from tracker.extensions import db

    db.session.add(SyncRun(status="succeeded", tickets_changed=0, mitigations_changed=1))
    db.session.add(SyncRun(status="succeeded", dry_run=True, mitigations_changed=2))
    db.session.commit()
    page = admin_client.get("/jira/syncs").get_data(as_text=True)
    assert "0 tickets" in page and "1 mitigation moved" in page
    assert "2 mitigations would move" in page
    assert "(1 mitigations)" not in page


NEW_RISK = {"title": "T", "category": "infrastructure", "team": "payments", "likelihood": "3",
            "impact": "3", "residual_likelihood": "1", "residual_impact": "1",
            "treatment": "mitigate", "owner": ""}  # fmt: skip


def test_a_refused_choice_uses_the_products_words(admin_client, payments):
    response = admin_client.post("/risks/new", data={**NEW_RISK, "category": "nowhere"})
    page = response.get_data(as_text=True)
    assert "Choose category from the list." in page and "Not a valid choice" not in page


def test_a_refused_date_uses_the_products_words(admin_client, payments):
    response = admin_client.post("/risks/new", data={**NEW_RISK, "next_review": "soon"})
    page = response.get_data(as_text=True)
    assert "Give the next review date as a date YYYY-MM-DD" in page
    assert "Not a valid date value" not in page


def test_an_admin_form_refuses_an_unknown_role_in_the_products_words(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={"email": "n@example.com", "display_name": "N", "role": "owner",
              "password": "a long enough password"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "Choose role from the list." in page and "Not a valid choice" not in page


def test_error_messages_are_alerts_and_others_are_status(manager_client, payments, factory):
    key = factory.risk(payments).key
    manager_client.post(f"/risks/{key}/jira-links", data={"key": "not a key"})
    page = manager_client.get(f"/risks/{key}").get_data(as_text=True)
    assert '<div class="alert alert-error" role="alert">' in page
    manager_client.post(f"/risks/{key}/review", data={"note": "Checked"})
    page = manager_client.get(f"/risks/{key}").get_data(as_text=True)
    assert '<div class="alert alert-success" role="status">Reviewed' in page
