"""Incident pages: list with filters and paging, CSV export, detail, create, edit with
version conflicts, status, risk links, follow-ups; permissions checked on the server.

The clock starts at 2026-03-02 09:00 UTC; the manager is in Payments.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.helpers import counting_queries
from tracker import clock
from tracker.incidents import services
from tracker.incidents.csv_export import COLUMNS
from tracker.models import Incident, Mitigation


def record(team, title="Checkout down", hours_ago=2, actor=None, **fields) -> Incident:
    """An hour-long incident of `team` that started `hours_ago` hours ago, 30 impact minutes."""
    start = clock.now() - timedelta(hours=hours_ago)
    raw = {
        "title": title,
        "severity": "sev2",
        "team": team.slug,
        "started_at": start,
        "resolved_at": start + timedelta(hours=1),
        "impact_minutes": 30,
        **fields,
    }
    return services.create_incident(raw, actor)


def form_data(**fields) -> dict:
    """What the incident form posts."""
    return {
        "title": "Checkout returned 502s",
        "summary": "",
        "severity": "sev2",
        "services": "checkout, payments-api",
        "team": "payments",
        "commander": "",
        "started_at": "2026-03-02T07:00",
        "detected_at": "2026-03-02T07:05",
        "resolved_at": "2026-03-02T08:00",
        "impact_minutes": "",
        "users_impacted": "0.5",
        "review_url": "",
        "review_date": "",
        **fields,
    }


def page_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


# Permissions -------------------------------------------------------------------------------------


def test_a_viewer_reads_but_changes_nothing(viewer_client, payments):
    incident = record(payments)
    assert "Checkout down" in page_of(viewer_client, "/incidents")
    page = page_of(viewer_client, f"/incidents/{incident.key}")
    assert "Edit</a>" not in page and "Change status" not in page
    assert viewer_client.get("/incidents/new").status_code == 403
    assert viewer_client.get(f"/incidents/{incident.key}/edit").status_code == 403
    for url in ("status", "risks", "risks/RISK-1/unlink", "follow-ups/new"):
        assert viewer_client.post(f"/incidents/{incident.key}/{url}").status_code in (403, 404)


def test_a_manager_changes_only_own_teams_incidents(manager_client, search, payments):
    theirs = record(search)
    assert manager_client.get(f"/incidents/{theirs.key}/edit").status_code == 403
    response = manager_client.post(f"/incidents/{theirs.key}/status", data={"status": "reviewing"})
    assert response.status_code == 403
    assert theirs.status == "open"
    ours = record(payments)
    assert manager_client.get(f"/incidents/{ours.key}/edit").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/incidents")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# Create and edit ---------------------------------------------------------------------------------


def test_recording_an_incident_from_the_form(manager_client, payments):
    response = manager_client.post("/incidents/new", data=form_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/incidents/INC-1"
    page = page_of(manager_client, "/incidents/INC-1")
    assert "Checkout returned 502s" in page
    assert "30" in page and "50% of users" in page
    assert "Max Manager" in page and "recorded the incident" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"resolved_at": "2026-03-02T06:00"}, "It was resolved before it started"),
        ({"users_impacted": "2"}, "must lie between 0 and 1"),
        ({"users_impacted": "", "impact_minutes": "90"}, "exceed the incident&#39;s duration"),
        ({"started_at": "2026-03-03T07:00", "detected_at": "", "resolved_at": ""}, "future"),
        ({"review_date": "2026-03-01"}, "review date lies before the incident started"),
        ({"started_at": "yesterday"}, "Give the start as a date and time"),
    ],
)
def test_bad_input_is_refused_with_its_message_keeping_the_input(
    manager_client, payments, fields, message
):
    response = manager_client.post("/incidents/new", data=form_data(**fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'value="Checkout returned 502s"' in page, "the user's input is kept"
    assert Incident.query.count() == 0


def test_an_edit_is_saved_with_its_reason_in_the_history(manager_client, payments):
    incident = record(payments)
    data = form_data(title="Checkout 502s", reason="Clearer title", version=str(incident.version))
    response = manager_client.post(f"/incidents/{incident.key}/edit", data=data)
    assert response.status_code == 302
    assert incident.title == "Checkout 502s"
    page = page_of(manager_client, f"/incidents/{incident.key}")
    assert "Clearer title" in page


def test_the_edit_form_shows_the_current_values(manager_client, payments):
    incident = record(payments, services=["checkout"], summary="Card payments failed")
    page = page_of(manager_client, f"/incidents/{incident.key}/edit")
    assert 'value="2026-03-02T07:00"' in page
    assert 'value="checkout"' in page and "Card payments failed" in page
    assert 'name="impact_minutes" type="text" value="30"' in page


def test_saving_from_a_stale_version_shows_the_other_change_and_keeps_the_input(
    manager_client, admin, payments
):
    incident = record(payments)
    loaded = incident.version
    services.update_incident(
        incident, {"severity": "sev1"}, admin, expected_version=loaded, reason="Worse"
    )
    response = manager_client.post(
        f"/incidents/{incident.key}/edit",
        data=form_data(title="My title", version=str(loaded)),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone saved this incident while you were editing" in page
    assert "Ada Admin" in page and "Worse" in page
    assert 'value="My title"' in page
    assert incident.title == "Checkout down"


# Status and history ------------------------------------------------------------------------------


def test_status_moves_forward_and_back_with_a_reason(manager_client, payments):
    incident = record(payments)
    url = f"/incidents/{incident.key}/status"
    data = {"status": "reviewing", "version": incident.version}
    assert manager_client.post(url, data=data).status_code == 302
    assert incident.status == "reviewing"
    refused = manager_client.post(url, data={"status": "open", "version": incident.version})
    assert refused.status_code == 400
    assert "Say why the incident goes back" in refused.get_data(as_text=True)
    manager_client.post(
        url, data={"status": "open", "reason": "Came back", "version": incident.version}
    )
    assert incident.status == "open"


def test_an_ongoing_incident_cannot_be_reviewed(manager_client, payments):
    incident = record(payments, resolved_at=None, impact_minutes=10)
    response = manager_client.post(
        f"/incidents/{incident.key}/status",
        data={"status": "reviewing", "version": incident.version},
    )
    assert response.status_code == 400
    assert "Give the resolution time" in response.get_data(as_text=True)


# Risks and follow-ups ----------------------------------------------------------------------------


def test_linking_and_unlinking_a_risk_from_the_page(manager_client, factory, payments):
    incident = record(payments)
    risk = factory.risk(team=payments, title="Single database")
    response = manager_client.post(f"/incidents/{incident.key}/risks", data={"key": risk.key})
    assert response.status_code == 302
    assert incident.risks == [risk]
    page = page_of(manager_client, f"/incidents/{incident.key}")
    assert "linked <em>RISK-1</em>" in page
    refused = manager_client.post(f"/incidents/{incident.key}/risks", data={"key": "RISK-99"})
    assert refused.status_code == 400
    assert "No risk has the key" in refused.get_data(as_text=True)
    manager_client.post(f"/incidents/{incident.key}/risks/{risk.key}/unlink")
    assert incident.risks == []


def test_a_follow_up_is_added_from_the_incident_page(manager_client, factory, payments):
    incident = record(payments)
    risk = factory.risk(team=payments, title="Single database")
    services.link_risk(incident, risk, None)
    form = page_of(manager_client, f"/incidents/{incident.key}/follow-ups/new")
    assert f"{risk.key} Single database" in form
    response = manager_client.post(
        f"/incidents/{incident.key}/follow-ups/new",
        data={
            "risk": risk.key,
            "horizon": "long",
            "title": "Move to a replicated database",
            "team": "payments",
            "owner": "",
            "due_date": "2026-02-20",
            "status": "planned",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [mitigation] = Mitigation.query.all()
    assert (mitigation.risk, mitigation.source_incident, mitigation.horizon) == (
        risk,
        incident,
        "long",
    )
    page = page_of(manager_client, f"/incidents/{incident.key}")
    strategic = page[page.index("Strategic changes") :]
    assert "Move to a replicated database" in strategic
    assert ">Overdue<" in strategic


def test_a_follow_up_needs_a_linked_risk(manager_client, payments):
    incident = record(payments)
    assert manager_client.get(f"/incidents/{incident.key}/follow-ups/new").status_code == 403
    assert "Link the risk it materialised" in page_of(manager_client, f"/incidents/{incident.key}")


# List, filters, export ---------------------------------------------------------------------------


def test_the_list_filters_by_team_severity_status_dates_service_and_text(
    viewer_client, payments, search
):
    record(payments, "Checkout down", services=["checkout"], severity="sev1")
    record(search, "Index stale", hours_ago=50, services=["search"])
    record(payments, "Old outage", hours_ago=24 * 40)

    def titles(query: str) -> list[str]:
        page = page_of(viewer_client, f"/incidents?{query}")
        return [t for t in ("Checkout down", "Index stale", "Old outage") if f">{t}<" in page]

    assert titles("") == ["Checkout down", "Index stale", "Old outage"]
    assert titles("team=search") == ["Index stale"]
    assert titles("severity=sev1") == ["Checkout down"]
    assert titles("status=closed") == []
    assert titles("since=2026-02-28&until=2026-02-28") == ["Index stale"]
    assert titles("service=checkout") == ["Checkout down"]
    assert titles("q=outage") == ["Old outage"]
    assert "Ignored severity" in page_of(viewer_client, "/incidents?severity=p9")


@pytest.mark.app_config(INCIDENTS_PER_PAGE=2)
def test_the_list_pages(viewer_client, payments):
    for n in range(3):
        record(payments, f"Outage {n}", hours_ago=n + 2)
    first = page_of(viewer_client, "/incidents")
    second = page_of(viewer_client, "/incidents?page=2")
    assert ">Outage 0<" in first and ">Outage 2<" not in first
    assert ">Outage 2<" in second and "Page 2 of 2" in second


def test_the_list_costs_the_same_queries_for_many_incidents(viewer_client, factory, payments):
    risk = factory.risk(team=payments)

    def queries() -> int:
        with counting_queries() as statements:
            page_of(viewer_client, "/incidents")
        return len(statements)

    first = record(payments, services=["a"], commander="viewer@example.com")
    services.link_risk(first, risk, None)
    few = queries()
    for n in range(10):
        more = record(payments, f"Outage {n}", services=[f"s{n}", "t"])
        services.link_risk(more, risk, None)
    assert queries() == few


def test_the_export_streams_the_filtered_view_with_formulas_neutralised(
    viewer_client, factory, payments, search
):
    incident = record(payments, "=HYPERLINK(evil)", services=["checkout"])
    services.link_risk(incident, factory.risk(team=payments), None)
    record(search, "Index stale")
    response = viewer_client.get("/incidents/export.csv?team=payments")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(COLUMNS)
    [row] = rows
    assert row["title"] == "'=HYPERLINK(evil)"
    assert (row["key"], row["team"], row["services"], row["risks"]) == (
        "INC-1",
        "payments",
        "checkout",
        "RISK-1",
    )
    assert (row["duration_minutes"], row["impact_minutes"]) == ("60", "30")
    assert row["started_at"] == "2026-03-02T07:00:00+00:00"


# The risk side -----------------------------------------------------------------------------------


def test_the_nav_leads_to_incidents(viewer_client):
    assert '<a href="/incidents"' in page_of(viewer_client, "/incidents")


def test_the_risk_page_shows_how_often_it_materialised_and_what_it_cost(
    viewer_client, factory, payments
):
    risk = factory.risk(
        team=payments, ettd_minutes=10, ettr_minutes=20, users_impacted=1, ettf_days=365.25
    )
    for hours_ago in (2, 30):
        services.link_risk(record(payments, hours_ago=hours_ago), risk, None)
    page = page_of(viewer_client, f"/risks/{risk.key}")
    section = page[page.index('id="materialised"') :]
    assert "<dt>Incidents in 365 days</dt><dd>2</dd>" in section
    assert "<strong>60</strong>" in section and "against an estimate of 30 a year" in section
    assert 'href="/incidents/INC-1"' in section and 'href="/incidents/INC-2"' in section


def test_a_risk_is_created_from_an_incident_prefilled_and_linked(manager_client, payments):
    incident = record(payments, services=["checkout"], summary="Card payments failed.")
    form = page_of(manager_client, f"/risks/new?from_incident={incident.key}")
    assert 'value="Checkout down"' in form and 'value="checkout"' in form
    assert "Materialised as INC-1. Card payments failed." in form
    assert f'name="from_incident" type="hidden" value="{incident.key}"' in form
    response = manager_client.post(
        "/risks/new",
        data={
            "title": "Checkout depends on one card processor",
            "category": "dependency",
            "team": "payments",
            "likelihood": "3",
            "impact": "4",
            "residual_likelihood": "3",
            "residual_impact": "4",
            "treatment": "mitigate",
            "owner": "",
            "from_incident": incident.key,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [risk.key for risk in incident.risks] == ["RISK-1"]


def test_a_risk_created_from_another_teams_incident_is_not_linked(manager_client, search, payments):
    incident = record(search)
    form = page_of(manager_client, f"/risks/new?from_incident={incident.key}")
    assert "Checkout down" not in form, "the manager may not link risks to it"


def test_the_mitigation_form_shows_and_edits_the_source_incident_and_horizon(
    manager_client, factory, payments
):
    from tracker.mitigations.services import add_mitigation

    incident = record(payments)
    risk = factory.risk(team=payments)
    services.link_risk(incident, risk, None)
    mitigation = add_mitigation(
        risk,
        {
            "title": "Alert on 502s",
            "team": "payments",
            "due_date": "2026-03-20",
            "source_incident": incident.key,
            "horizon": "short",
        },
        None,
    )
    detail = page_of(manager_client, f"/mitigations/{mitigation.id}")
    assert "Follow-up of" in detail and "INC-1 Checkout down" in detail
    assert "Action item" in detail
    edit = page_of(manager_client, f"/mitigations/{mitigation.id}/edit")
    assert 'name="source_incident" type="text" value="INC-1"' in edit
    response = manager_client.post(
        f"/mitigations/{mitigation.id}/edit",
        data={
            "title": "Alert on 502s",
            "team": "payments",
            "owner": "",
            "due_date": "2026-03-20",
            "status": "planned",
            "notes": "",
            "source_incident": incident.key,
            "horizon": "long",
            "version": mitigation.version,
        },
    )
    assert response.status_code == 302
    assert mitigation.horizon == "long"
