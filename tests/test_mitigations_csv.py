"""Mitigations as CSV: the export's columns, the import's plan-then-write contract (shared with
the risk import), `flask mitigations import|export`, and the import page."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests.test_cli import db_snapshot
from tracker.extensions import db
from tracker.mitigations.cli import mitigations_cli
from tracker.mitigations.csv_format import COLUMNS, export_all
from tracker.mitigations.csv_import import apply_import, plan_import
from tracker.mitigations.services import add_mitigation
from tracker.models import Mitigation, RiskEvent
from tracker.validation import PermissionDenied

IMPORT_REASON = "Imported from CSV"
HEADER = "risk,title,team,due_date"


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def imported(text: str, actor=None):
    plan = plan_import(text, actor)
    assert plan.valid, plan.errors
    apply_import(plan, actor)
    return plan


def errors_of(text: str, actor=None) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in plan_import(text, actor).errors]


def exported() -> str:
    out = io.StringIO()
    export_all(out)
    return out.getvalue()


def mitigation_titled(title: str) -> Mitigation:
    db.session.expire_all()
    return db.session.scalars(sa.select(Mitigation).where(Mitigation.title == title)).one()


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database in one zone")


@pytest.fixture
def existing(risk, manager):
    """A planned mitigation of the risk, owned by the manager, due 2026-04-01."""
    return add_mitigation(
        risk,
        {
            "title": "Standby in a second zone",
            "team": "payments",
            "owner": manager.email,
            "due_date": "2026-04-01",
            "notes": "=HYPERLINK(1)",
        },
        None,
    )


# Export ------------------------------------------------------------------------------------


def test_export_writes_ids_keys_slugs_emails_dates_and_protects_formulas(existing, risk):
    [row] = list(csv.DictReader(io.StringIO(exported())))
    assert list(row) == list(COLUMNS)
    assert row["id"] == f"M-{existing.id}" and row["risk"] == risk.key
    assert (row["team"], row["owner"], row["status"]) == (
        "payments",
        "manager@example.com",
        "planned",
    )
    assert (row["due_date"], row["original_due_date"], row["slip_count"]) == (
        "2026-04-01",
        "2026-04-01",
        "0",
    )
    assert row["notes"] == "'=HYPERLINK(1)", "a spreadsheet must not run it"


def test_export_reimported_changes_nothing(existing):
    snapshot = db_snapshot()
    plan = imported(exported())
    assert (plan.counts.unchanged, plan.counts.create, plan.counts.update) == (1, 0, 0)
    assert db_snapshot() == snapshot


def test_export_leaves_out_archived_risks(factory, admin, existing, risk):
    from tracker.risks import services

    services.archive(risk, admin)
    assert exported().splitlines() == [",".join(COLUMNS)]


# Import ------------------------------------------------------------------------------------


def test_new_rows_are_added_at_the_end_of_their_risk_with_the_import_in_the_history(existing, risk):
    text = csv_text(
        HEADER + ",status", f"{risk.key},Rehearse failover,payments,2026-05-01,in_progress"
    )
    plan = imported(text)
    [row] = plan.rows
    assert ("due_date", None, "2026-05-01") in row.changes, "the dry run shows what it holds"
    new = mitigation_titled("Rehearse failover")
    assert new.position == existing.position + 1
    assert (new.status, new.original_due_date) == ("in_progress", date(2026, 5, 1))
    db.session.refresh(risk)
    assert risk.status == "mitigating", "the first mitigation to start moves the risk"
    added = db.session.scalars(
        sa.select(RiskEvent).where(
            RiskEvent.mitigation_id == new.id, RiskEvent.field == "mitigation"
        )
    ).one()
    assert added.reason == IMPORT_REASON


def test_a_row_without_id_updates_the_mitigation_with_its_title_and_counts_a_slip(existing, risk):
    text = csv_text(HEADER, f"{risk.key}, Standby in a second zone ,payments,2026-04-20")
    [row] = imported(text).rows
    assert (row.action, row.key) == ("update", f"M-{existing.id}")
    assert row.changes == [("due_date", "2026-04-01", "2026-04-20")]
    mitigation = mitigation_titled("Standby in a second zone")
    assert (mitigation.due_date, mitigation.slip_count) == (date(2026, 4, 20), 1)
    moved = db.session.scalars(
        sa.select(RiskEvent).where(
            RiskEvent.mitigation_id == existing.id, RiskEvent.field == "due_date"
        )
    ).one()
    assert (moved.old_value, moved.new_value, moved.reason) == (
        "2026-04-01",
        "2026-04-20",
        IMPORT_REASON,
    )


def test_an_empty_status_keeps_the_mitigations(existing, risk):
    existing_id = existing.id
    text = csv_text(
        "id," + HEADER + ",status",
        f"M-{existing_id},{risk.key},Standby in a second zone,payments,2026-04-01,",
    )
    assert imported(text).counts.unchanged == 1


def test_importing_a_file_twice_changes_nothing_the_second_time(risk):
    text = csv_text(HEADER + ",status", f"{risk.key},Add a replica,payments,2026-06-01,done")
    imported(text)
    snapshot = db_snapshot()
    assert imported(text).counts.unchanged == 1
    assert db_snapshot() == snapshot


def test_a_file_with_one_bad_row_writes_nothing_and_names_each_line_and_column(existing, risk):
    snapshot = db_snapshot()
    text = csv_text(
        "id," + HEADER + ",status",
        f",{risk.key},Fine,payments,2026-05-01,",
        ",RISK-999,Nowhere,payments,2026-05-01,",
        f",{risk.key},Late,payments,01/05/2026,",
        f",{risk.key},Stuck,payments,2026-05-01,blocked",
        f"M-999,{risk.key},Ghost,payments,2026-05-01,",
    )
    assert [(line, column) for line, column, _ in errors_of(text)] == [
        (3, "risk"),
        (4, "due_date"),
        (5, "notes"),
        (6, "id"),
    ]
    plan = plan_import(text)
    with pytest.raises(Exception, match="Fix the 4 problem"):
        apply_import(plan, None)
    assert db_snapshot() == snapshot


def test_an_id_on_another_risk_is_refused(factory, payments, existing):
    other = factory.risk(team=payments, title="Other")
    text = csv_text(
        "id," + HEADER, f"M-{existing.id},{other.key},Standby in a second zone,payments,2026-04-01"
    )
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (2, "risk") and f"is on {existing.risk.key}" in message


def test_two_rows_for_one_mitigation_are_refused(risk):
    text = csv_text(
        HEADER, f"{risk.key},Replica,payments,2026-05-01", f"{risk.key},replica,payments,2026-06-01"
    )
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (3, "title") and "also on line 2" in message


def test_a_manager_imports_only_for_their_teams(manager, risk, search):
    text = csv_text(HEADER, f"{risk.key},Their work,search,2026-05-01")
    [(line, column, message)] = errors_of(text, manager)
    assert (line, column) == (2, "team") and "not search" in message
    assert plan_import(csv_text(HEADER, f"{risk.key},Ours,payments,2026-05-01"), manager).valid


def test_viewers_cannot_import(viewer, risk):
    with pytest.raises(PermissionDenied):
        plan_import(csv_text(HEADER, f"{risk.key},A,payments,2026-05-01"), viewer)


def test_unknown_columns_are_a_warning_or_refused_with_strict(risk):
    text = csv_text(HEADER + ",Priority", f"{risk.key},A,payments,2026-05-01,P1")
    assert "'Priority'" in plan_import(text).warnings[0]
    assert plan_import(text, strict=True).errors[0].message == "Unknown column 'Priority'."


# CLI and page ------------------------------------------------------------------------------


def test_cli_import_dry_run_then_import_then_export(runner, risk, tmp_path):
    path = tmp_path / "mitigations.csv"
    path.write_text(csv_text(HEADER, f"{risk.key},Add a replica,payments,2026-05-01"))
    dry = runner.invoke(mitigations_cli, ["import", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert (
        dry.stdout.splitlines()[-1]
        == "Dry run, nothing written: would create 1, update 0; 0 unchanged."
    )
    result = runner.invoke(mitigations_cli, ["import", str(path)])
    assert result.stdout.splitlines()[-1] == "Created 1, updated 0; 0 unchanged."
    out = runner.invoke(mitigations_cli, ["export", "-"])
    assert out.exit_code == 0 and "Add a replica" in out.stdout


def test_cli_import_errors_go_to_stderr_with_line_and_column(runner, risk, tmp_path):
    path = tmp_path / "mitigations.csv"
    path.write_text(csv_text(HEADER, f"{risk.key},A,payments,soon"))
    result = runner.invoke(mitigations_cli, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("line 2, column due_date: ")


def test_import_page_dry_run_then_import(manager_client, risk):
    text = csv_text(HEADER, f"{risk.key},Add a replica,payments,2026-05-01")
    data = {"file": (io.BytesIO(text.encode()), "m.csv"), "dry_run": "y", "submit": "Check file"}
    page = manager_client.post("/mitigations/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 200 and "1 to create" in page.get_data(as_text=True)
    response = manager_client.post("/mitigations/import", data={"content": text})
    assert response.status_code == 302
    assert mitigation_titled("Add a replica").team.slug == "payments"


def test_viewers_may_export_but_not_import_on_the_pages(viewer_client, existing):
    export = viewer_client.get("/mitigations/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "Standby in a second zone" in export.get_data(as_text=True)
    assert viewer_client.get("/mitigations/import").status_code == 403
