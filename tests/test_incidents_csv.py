"""Incidents as CSV: the import's plan-then-write contract (shared with the risk import),
the names other incident tools export, the form's rules row by row, `flask incidents
import|export`, and the import page.

The clock stands at 2026-03-02 09:00 UTC; the manager is in Payments.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.test_cli import db_snapshot
from tracker.extensions import db
from tracker.incidents import csv_import, services
from tracker.incidents.cli import incidents_cli
from tracker.incidents.csv_format import COLUMNS
from tracker.incidents.csv_import import apply_import, plan_import
from tracker.mitigations.services import add_mitigation
from tracker.models import Incident, IncidentEvent
from tracker.validation import PermissionDenied, ValidationError

HEADER = "title,severity,team,started_at,resolved_at,impact_minutes"
ROW = "Checkout down,sev2,payments,2026-03-01T10:00,2026-03-01T11:00,30"


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def imported(text: str, actor=None):
    plan = plan_import(text, actor)
    assert plan.valid, plan.errors
    apply_import(plan, actor)
    return plan


def errors_of(text: str, actor=None) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in plan_import(text, actor).errors]


def incidents() -> list[Incident]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Incident).order_by(Incident.number)).all()


def exported(runner) -> str:
    result = runner.invoke(incidents_cli, ["export", "-"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def recorded(payments, admin, factory):
    """INC-1, share-based and linked to a risk; INC-2, resolved, minutes given."""
    first = services.create_incident(
        {
            "title": "Checkout down",
            "severity": "sev2",
            "team": "payments",
            "services": "checkout, payments-api",
            "commander": admin.email,
            "started_at": "2026-03-01T10:00+00:00",
            "resolved_at": "2026-03-01T11:00+00:00",
            "users_impacted": "0.5",
            "summary": "=cmd|' /C calc'!A0",
        },
        admin,
    )
    services.link_risk(first, factory.risk(team=payments), admin)
    second = services.create_incident(
        {
            "title": "Search slow",
            "severity": "sev3",
            "team": "payments",
            "started_at": "2026-02-20T08:00+00:00",
            "resolved_at": "2026-02-20T08:40+00:00",
            "impact_minutes": "12.5",
            "review_url": "https://docs.example.com/review",
            "review_date": "2026-02-25",
        },
        admin,
    )
    services.change_status(second, "reviewing", admin)
    return first, second


# Dry run, apply, re-apply --------------------------------------------------------------------


def test_dry_run_says_what_each_row_would_create_and_writes_nothing(payments):
    snapshot = db_snapshot()
    plan = plan_import(csv_text(HEADER, ROW, ROW.replace("Checkout", "Search")))
    assert plan.valid, plan.errors
    assert [(row.line, row.action, row.key) for row in plan.rows] == [
        (2, "create", "new"),
        (3, "create", "new"),
    ]
    shown = dict((name, new) for name, _, new in plan.rows[0].changes)
    assert shown["started_at"] == "2026-03-01T10:00:00+00:00"
    assert shown["impact_minutes"] == "30" and shown["team"] == "payments"
    assert db_snapshot() == snapshot


def test_apply_records_the_incidents_with_the_next_keys_and_history(payments, admin):
    imported(csv_text(HEADER, ROW, ROW.replace("Checkout", "Search")), admin)
    first, second = incidents()
    assert (first.key, second.key) == ("INC-1", "INC-2")
    assert first.started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert (first.impact_minutes, first.status, first.created_by) == (30, "open", admin)
    event = db.session.scalars(sa.select(IncidentEvent).filter_by(incident=first)).one()
    assert (event.field, event.new_value, event.reason) == ("created", "INC-1", "Imported from CSV")


def test_reapplying_the_same_file_changes_nothing(payments):
    text = csv_text(HEADER + ",status", ROW + ",closed")
    imported(text)
    snapshot = db_snapshot()
    plan = imported(text)
    assert plan.counts.unchanged == 1 and not plan.counts.create + plan.counts.update
    assert db_snapshot() == snapshot


def test_an_export_reimports_unchanged(runner, recorded):
    snapshot = db_snapshot()
    plan = imported(exported(runner))
    assert [row.action for row in plan.rows] == ["unchanged", "unchanged"]
    assert db_snapshot() == snapshot


def test_an_edited_export_updates_by_key_and_records_why(runner, recorded, admin):
    text = exported(runner).replace("Search slow", "Search very slow")
    plan = imported(text, admin)
    [update] = [row for row in plan.rows if row.action == "update"]
    assert (update.key, update.changes) == ("INC-2", [("title", "Search slow", "Search very slow")])
    second = incidents()[1]
    assert second.title == "Search very slow" and second.updated_by == admin
    event = db.session.scalars(
        sa.select(IncidentEvent).filter_by(incident=second, field="title")
    ).one()
    assert event.reason == "Imported from CSV"


def test_a_keyless_row_updates_the_incident_with_the_same_title_and_start(payments):
    imported(csv_text(HEADER, ROW))
    plan = imported(csv_text(HEADER, ROW.replace(",30", ",45")))
    assert [(row.action, row.key) for row in plan.rows] == [("update", "INC-1")]
    assert [incident.impact_minutes for incident in incidents()] == [45]


def test_the_same_title_at_another_start_is_another_incident(payments):
    imported(csv_text(HEADER, ROW))
    imported(csv_text(HEADER, ROW.replace("03-01T10", "03-01T09")))
    assert len(incidents()) == 2


def test_columns_the_file_lacks_are_left_alone(runner, recorded):
    first = recorded[0]
    imported(
        csv_text(
            "key,title,severity,team,started_at",
            f"{first.key},Checkout down,sev1,payments,2026-03-01T10:00Z",
        )
    )
    incident = incidents()[0]
    assert incident.severity == "sev1"
    assert incident.services == ["checkout", "payments-api"] and incident.impact_share == 0.5


def test_the_risks_column_sets_the_linked_risks(recorded, factory, payments):
    first, _ = recorded
    other = factory.risk(team=payments, title="Other")
    text = csv_text(
        "key,title,severity,team,started_at,risks",
        f"{first.key},Checkout down,sev2,payments,2026-03-01T10:00Z,{other.key}",
    )
    imported(text)
    assert [risk.key for risk in incidents()[0].risks] == [other.key]


def test_a_failure_while_writing_rolls_back_every_row(payments, monkeypatch):
    plan = plan_import(csv_text(HEADER, ROW, ROW.replace("Checkout", "Search")))
    snapshot = db_snapshot()
    record = csv_import.history.record
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return record(*args, **kwargs)

    monkeypatch.setattr(csv_import.history, "record", fail_on_second)
    with pytest.raises(RuntimeError):
        apply_import(plan, None)
    db.session.commit()
    assert db_snapshot() == snapshot


# Other tools' names --------------------------------------------------------------------------


def test_an_incident_io_export_imports(payments):
    text = csv_text(
        "Reference,Name,Severity,Status,Reported at,Resolved at,Team,Affected services,% users",
        "INC-4711,Checkout down,SEV 2,Resolved,2026-03-01 10:00:00 UTC,"
        "2026-03-01 11:00:00 UTC,Payments,Checkout,25%",
    )
    plan = imported(text)
    assert plan.warnings and "'Reference'" in plan.warnings[0]
    [incident] = incidents()
    assert (incident.key, incident.severity, incident.status, incident.team) == (
        "INC-1",
        "sev2",
        "open",
        payments,
    )
    assert incident.resolved_at == datetime(2026, 3, 1, 11, tzinfo=UTC)
    assert incident.impact_minutes == 15 and incident.services == ["checkout"]


def test_a_pagerduty_export_imports_with_urgency_as_rank(payments):
    text = csv_text(
        "incident_number,title,urgency,created_on,resolved_on,service_name,team_name,"
        "impact minutes",
        "1234,Queue backed up,P1,2026-03-01T10:00:00Z,2026-03-01T10:30:00Z,queue,payments,10",
    )
    imported(text)
    [incident] = incidents()
    assert (incident.severity, incident.services, incident.impact_minutes) == (
        "sev1",
        ["queue"],
        10,
    )


def test_a_fallback_name_gives_way_to_the_columns_own_name(payments):
    text = csv_text(
        "Name,Severity,Team,Started at,Created at,Resolved at,Impact minutes",
        "Checkout down,sev2,payments,2026-03-01T10:00Z,2026-03-01T10:20Z,2026-03-01T11:00Z,5",
    )
    imported(text)
    assert incidents()[0].started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_jira_csv_times_are_read_in_the_configured_zone(payments):
    text = csv_text(HEADER, "Checkout down,sev2,payments,01/Mar/26 10:00 AM,01/Mar/26 11:00 AM,30")
    imported(text)
    assert incidents()[0].started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_team_and_commander_may_be_given_by_name(payments, admin):
    imported(
        csv_text(HEADER + ",commander", ROW.replace(",payments,", ",Payments,") + ",Ada Admin")
    )
    incident = incidents()[0]
    assert (incident.team, incident.commander) == (payments, admin)


def test_unknown_columns_are_one_warning_and_strict_refuses_them(payments):
    text = csv_text(HEADER + ",Colour", ROW + ",red")
    assert "'Colour'" in plan_import(text).warnings[0]
    assert plan_import(text, strict=True).errors[0].column == "Colour"


# Refusals: the form's rules, each naming its row and column, writing nothing ----------------


@pytest.mark.parametrize(
    ("header", "row", "column", "fragment"),
    [
        (HEADER, ROW.replace("11:00,30", "09:00,30"), "resolved_at", "resolved before it started"),
        (HEADER, ROW.replace(",30", ",90"), "impact_minutes", "exceed the incident's duration"),
        (
            HEADER.replace("impact_minutes", "users_impacted"),
            ROW.replace(",30", ",1.5"),
            "users_impacted",
            "between 0 and 1",
        ),
        (
            HEADER,
            ROW.replace("2026-03-01T10:00,2026-03-01T11:00", "2026-03-05T10:00,"),
            "started_at",
            "in the future",
        ),
        (HEADER, ROW.replace("sev2", "sev9"), "severity", "must be one of sev1"),
        (HEADER, ROW.replace("payments", "nowhere"), "team", "No team"),
        (HEADER + ",commander", ROW + ",ghost@example.com", "commander", "No user"),
        (HEADER + ",risks", ROW + ",RISK-99", "risks", "No risk has the key 'RISK-99'"),
        (HEADER + ",key", ROW + ",INC-42", "key", "INC-42 is not an incident in this tracker"),
        (HEADER + ",key", ROW + ",X-1", "key", "Give the key as INC-<number>"),
        (HEADER + ",status", ROW + ",exploded", "status", "The status must be one of"),
        (
            HEADER + ",review_date",
            ROW + ",2026-02-01",
            "review_date",
            "before the incident started",
        ),
        (
            HEADER + ",status",
            ROW.replace("2026-03-01T11:00", "") + ",closed",
            "resolved_at",
            "needs its resolution time",
        ),
        (
            HEADER.replace(",impact_minutes", ""),
            ROW.replace(",30", ""),
            "impact_minutes",
            "Give the impact minutes",
        ),
        (
            "Name,Severity,Team,Reported at,impact_minutes",
            "Checkout,sev2,payments,yesterday,3",
            "Reported at",
            "as a date and time",
        ),
    ],
)
def test_a_bad_row_is_refused_naming_its_line_and_column(payments, header, row, column, fragment):
    text = csv_text(header, ROW, row.replace("Checkout down", "Queue stuck"))
    snapshot = db_snapshot()
    errors = errors_of(text)
    assert any(
        line == 3 and col == column and fragment in message for line, col, message in errors
    ), errors
    with pytest.raises(ValidationError, match="Fix the"):
        apply_import(plan_import(text), None)
    assert db_snapshot() == snapshot


def test_two_rows_for_one_incident_are_refused(recorded):
    text = csv_text(
        "key,title,severity,team,started_at",
        "INC-1,A,sev1,payments,2026-03-01T10:00Z",
        "INC-1,B,sev1,payments,2026-03-01T10:00Z",
    )
    assert errors_of(text) == [(3, "key", "INC-1 is also on line 2; give it one row.")]


def test_unlinking_a_risk_with_follow_ups_is_refused(recorded, admin):
    first, _ = recorded
    follow_up = {"title": "Fix it", "team": "payments", "due_date": "2026-04-01"}
    follow_up |= {"source_incident": first.key, "horizon": "short"}
    add_mitigation(first.risks[0], follow_up, admin)
    text = csv_text(
        "key,title,severity,team,started_at,risks",
        f"{first.key},Checkout down,sev2,payments,2026-03-01T10:00Z,",
    )
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (2, "risks") and "follow-ups are on" in message


def test_the_row_limit_refuses_a_bigger_file_at_once(app, payments):
    app.config["IMPORT_MAX_ROWS"] = 2
    [(_, _, message)] = errors_of(csv_text(HEADER, ROW, ROW, ROW))
    assert "more than 2 incidents" in message


# Permissions ---------------------------------------------------------------------------------


def test_viewers_cannot_import(viewer, payments):
    with pytest.raises(PermissionDenied):
        plan_import(csv_text(HEADER, ROW), viewer)


def test_a_manager_imports_only_for_their_own_teams(manager, search):
    errors = errors_of(
        csv_text(HEADER, ROW, ROW.replace("payments", "search").replace("Checkout", "Index")),
        manager,
    )
    assert errors == [(3, "team", "Import incidents only for your own teams, not search.")]


def test_a_manager_cannot_update_another_teams_incident(manager, search, admin):
    other = services.create_incident(
        {
            "title": "Index stale",
            "severity": "sev3",
            "team": "search",
            "started_at": "2026-03-01T10:00Z",
            "impact_minutes": "0",
        },
        admin,
    )
    text = csv_text(
        "key,title,severity,team,started_at",
        f"{other.key},Index stale,sev1,search,2026-03-01T10:00Z",
    )
    [(_, column, message)] = errors_of(text, manager)
    assert column == "team" and "belongs to search" in message


# Export --------------------------------------------------------------------------------------


def test_the_cli_export_writes_every_incident_with_formulas_neutralised(runner, recorded):
    rows = list(csv.DictReader(io.StringIO(exported(runner))))
    assert [row["key"] for row in rows] == ["INC-1", "INC-2"]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["summary"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["users_impacted"] == "0.5" and rows[0]["risks"] == "RISK-1"


def test_the_cli_export_writes_a_file_excel_reads_as_utf8(runner, recorded, tmp_path):
    path = tmp_path / "incidents.csv"
    result = runner.invoke(incidents_cli, ["export", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 2 incident(s) to {path}.\n"
    assert path.read_bytes().startswith(b"\xef\xbb\xbfkey,title,")


# CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "incidents.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_cli_import_prints_each_row_and_a_summary(runner, csv_file, payments):
    result = runner.invoke(incidents_cli, ["import", csv_file(csv_text(HEADER, ROW))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["line", "2", "create", "new", "Checkout", "down"]
    assert lines[1] == "Created 1, updated 0; 0 unchanged."
    assert len(incidents()) == 1


def test_cli_dry_run_writes_nothing(runner, csv_file, payments):
    snapshot = db_snapshot()
    result = runner.invoke(incidents_cli, ["import", "--dry-run", csv_file(csv_text(HEADER, ROW))])
    assert result.exit_code == 0, result.output
    assert "Dry run, nothing written: would create 1, update 0; 0 unchanged." in result.stdout
    assert db_snapshot() == snapshot


def test_cli_prints_every_error_on_stderr_and_exits_1(runner, csv_file, payments):
    snapshot = db_snapshot()
    text = csv_text(HEADER, ROW.replace("sev2", "sev9"), ROW.replace("payments", "nowhere"))
    result = runner.invoke(incidents_cli, ["import", csv_file(text)])
    assert result.exit_code == 1
    assert "line 2, column severity:" in result.stderr
    assert "line 3, column team:" in result.stderr
    assert "Nothing imported: 2 problem(s) to fix." in result.stderr
    assert db_snapshot() == snapshot


def test_cli_strict_refuses_unknown_columns(runner, csv_file, payments):
    result = runner.invoke(
        incidents_cli, ["import", "--strict", csv_file(csv_text(HEADER + ",Colour", ROW + ",red"))]
    )
    assert result.exit_code == 1 and "Unknown column 'Colour'" in result.stderr
    assert incidents() == []


def test_cli_import_as_a_viewer_is_refused(runner, csv_file, viewer, payments):
    result = runner.invoke(
        incidents_cli, ["import", "--as", viewer.email, csv_file(csv_text(HEADER, ROW))]
    )
    assert result.exit_code == 1 and "import incidents" in result.stderr


# The page ------------------------------------------------------------------------------------


def upload(client, text: str, dry_run: bool = True):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "incidents.csv"), "submit": "Check file"}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/incidents/import", data=data, content_type="multipart/form-data")


def test_the_page_dry_runs_then_imports_the_carried_file(manager_client, payments):
    page = upload(manager_client, csv_text(HEADER, ROW)).get_data(as_text=True)
    assert "Dry run — nothing written yet." in page and "1 to create" in page
    assert incidents() == []
    carried = html.unescape(re.search(r'name="content" value="([^"]*)"', page).group(1))
    response = manager_client.post("/incidents/import", data={"content": carried})
    assert response.status_code == 302 and response.location.endswith("/incidents")
    assert len(incidents()) == 1


def test_the_page_shows_each_problem_with_line_and_column(manager_client, payments):
    response = upload(
        manager_client, csv_text(HEADER, ROW, ROW.replace(",30", ",90")), dry_run=False
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported" in page
    assert re.search(r'data-label="Line">3</td><td data-label="Column">impact_minutes</td>', page)
    assert incidents() == []


def test_viewers_get_no_import_page_nor_link(viewer_client, manager_client, payments):
    assert viewer_client.get("/incidents/import").status_code == 403
    assert upload(viewer_client, csv_text(HEADER, ROW), dry_run=False).status_code == 403
    assert "/incidents/import" not in viewer_client.get("/incidents").get_data(as_text=True)
    assert "/incidents/import" in manager_client.get("/incidents").get_data(as_text=True)
    assert incidents() == []
