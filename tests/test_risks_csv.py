"""The risk register as CSV: the export's columns, the import's plan-then-write contract, and
`flask risks import|export`.

An import either writes every row or nothing; importing what is already there changes nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries
from tests.test_cli import db_snapshot
from tracker.domain import budget
from tracker.extensions import db
from tracker.models import Risk, RiskEvent, Team
from tracker.risks import bulk_create, services
from tracker.risks.cli import risks_cli
from tracker.risks.csv_export import export_all
from tracker.risks.csv_import import apply_import, plan_import
from tracker.validation import PermissionDenied, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "key,title,description,category,service,team,owner,likelihood,impact,score,band,"
    "residual_likelihood,residual_impact,residual_score,treatment,status,next_review,tags,"
    "ettd_minutes,ettr_minutes,users_impacted,ettf_days,bad_minutes_per_year,budget_share,"
    "residual_bad_minutes_per_year"
)
MINIMAL = "title,category,team,likelihood,impact"
IMPORT_REASON = "Imported from CSV"


# Helpers -----------------------------------------------------------------------------------


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def csv_from(*rows: dict[str, str]) -> str:
    """A CSV file with the keys of the first row as its header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def imported(text: str, actor=None):
    """Plan and apply `text`, which must be valid; return the plan."""
    plan = plan_import(text, actor)
    assert plan.valid, plan.errors
    apply_import(plan, actor)
    return plan


def errors_of(text: str, actor=None) -> list[tuple[int, str, str]]:
    return [(error.line, error.column, error.message) for error in plan_import(text, actor).errors]


def exported() -> str:
    out = io.StringIO()
    export_all(out)
    return out.getvalue()


def exported_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(exported(), newline="")))


def risk_numbered(number: int) -> Risk | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Risk).where(Risk.number == number))


def risk_titled(title: str) -> Risk:
    db.session.expire_all()
    return db.session.scalars(sa.select(Risk).where(Risk.title == title)).one()


def risk_versions() -> dict[int, int]:
    return dict(db.session.execute(sa.select(Risk.number, Risk.version)).all())


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(RiskEvent.id)))


@pytest.fixture
def payments(factory):
    return factory.team("payments", "Payments")


@pytest.fixture
def platform(factory):
    return factory.team("platform", "Platform")


@pytest.fixture
def register(factory, payments, platform):
    """Risks that use every column: quantified, tagged, owned, in several statuses."""
    owner = factory.user(email="priya@example.com", role="manager", teams=[payments])
    first = factory.risk(
        team=payments,
        owner=owner,
        title="Payment provider outage",
        category="dependency",
        description='Checkout stops; "card" payments, then\nrefunds.',
        service="checkout",
        likelihood=4,
        impact=5,
        residual_likelihood=2,
        residual_impact=3,
        tags="vendor, pci",
        ettd_minutes=5,
        ettr_minutes=122.5,
        users_impacted=0.0123456789,
        ettf_days=91.3,
    )
    second = factory.risk(
        team=platform, title="=Single DNS provider", treatment="accept", next_review="2026-07-01"
    )
    services.change_status(second, "mitigating", None)
    return [first, second]


# Export ------------------------------------------------------------------------------------


def test_export_header_is_the_documented_columns_in_order(app):
    assert exported().splitlines()[0] == HEADER


def test_export_writes_slugs_emails_levels_and_exact_numbers(register):
    row = exported_rows()[0]
    assert {name: row[name] for name in ("key", "category", "team", "owner", "tags")} == {
        "key": register[0].key,
        "category": "dependency",
        "team": "payments",
        "owner": "priya@example.com",
        "tags": "pci, vendor",
    }
    assert [row[name] for name in ("likelihood", "impact", "score", "band")] == [
        "4",
        "5",
        "20",
        "critical",
    ]
    assert (row["ettd_minutes"], row["ettr_minutes"]) == ("5", "122.5")
    assert (row["users_impacted"], row["ettf_days"]) == ("0.0123456789", "91.3")
    bad_minutes = budget.bad_minutes_per_year(5, 122.5, 0.0123456789, 91.3)
    assert row["bad_minutes_per_year"] == f"{bad_minutes:.2f}"
    assert row["budget_share"] == f"{budget.budget_share(bad_minutes, 0.998):.4f}"


def test_export_leaves_cells_empty_for_missing_values(register):
    row = exported_rows()[1]
    assert {row[name] for name in ("owner", "service", "tags", "ettf_days", "budget_share")} == {""}


def test_export_all_leaves_out_archived_risks_and_orders_by_number(factory, admin, payments):
    first, archived, third = (factory.risk(team=payments) for _ in range(3))
    services.archive(archived, admin)
    assert [row["key"] for row in exported_rows()] == [first.key, third.key]


def test_export_all_costs_the_same_queries_for_ten_risks_as_for_one(factory, payments):
    owner = factory.user()
    factory.risk(team=payments, owner=owner, tags="a, b")
    with counting_queries() as for_one:
        exported()
    for _ in range(9):
        factory.risk(team=factory.team(), owner=factory.user(), tags="c")
    db.session.expire_all()
    with counting_queries() as for_ten:
        exported()
    assert len(for_ten) == len(for_one) == 2


def test_export_protects_formula_cells_and_import_reads_them_back(register):
    text = exported()
    assert "'=Single DNS provider" in text
    assert plan_import(text).counts.unchanged == 2


# Import: all or nothing, and nothing twice -------------------------------------------------


def test_export_reimported_is_all_unchanged_and_writes_nothing(register):
    versions, events, snapshot = risk_versions(), event_count(), db_snapshot()
    plan = plan_import(exported())
    apply_import(plan, None)
    assert [row.action for row in plan.rows] == ["unchanged", "unchanged"]
    assert (risk_versions(), event_count()) == (versions, events)
    assert db_snapshot() == snapshot


def test_importing_a_file_twice_changes_nothing_the_second_time(payments, platform):
    text = csv_text(
        "title,category,team,likelihood,impact,tags,ettd_minutes,ettr_minutes,users_impacted,ettf_days",
        'Disk fills up,capacity,payments,3,4,"disk, alerting",10,30,5%,60',
        "Cert expires,security,platform,Likely,2,,,,,",
    )
    assert imported(text).counts.create == 2
    versions, events = risk_versions(), event_count()
    second = imported(text)
    assert [row.action for row in second.rows] == ["unchanged", "unchanged"]
    assert (risk_versions(), event_count()) == (versions, events)


def test_file_with_one_bad_row_among_good_ones_writes_nothing(payments):
    text = csv_text(
        MINIMAL,
        "Good,capacity,payments,3,3",
        "Bad,capacity,payments,9,3",
        "Also good,capacity,payments,2,2",
    )
    snapshot = db_snapshot()
    plan = plan_import(text)
    with pytest.raises(ValidationError):
        apply_import(plan, None)
    assert db_snapshot() == snapshot


def test_failure_while_writing_rolls_back_every_row(payments, monkeypatch):
    text = csv_text(MINIMAL, "First,capacity,payments,3,3", "Second,capacity,payments,2,2")
    plan = plan_import(text)
    snapshot = db_snapshot()
    # The history of the second new risk fails, once both risks are written.
    shown = bulk_create.display_value
    calls = []

    def fail_on_second_row(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return shown(*args, **kwargs)

    monkeypatch.setattr(bulk_create, "display_value", fail_on_second_row)
    with pytest.raises(RuntimeError):
        apply_import(plan, None)
    db.session.commit()  # whatever the session still held would be written now
    assert db_snapshot() == snapshot


# Import: reading the file ------------------------------------------------------------------


def test_reads_bom_semicolons_and_comma_decimals(payments):
    text = "\ufeff" + csv_text(
        "title;category;team;likelihood;impact;ettd_minutes;ettr_minutes;users_impacted;ettf_days",
        '"Queue backs up; slowly";capacity;payments;3;3;7,5;30;2,5%;0,5',
    )
    imported(text)
    risk = risk_titled("Queue backs up; slowly")
    assert (risk.ettd_minutes, risk.users_impacted, risk.ettf_days) == (7.5, 0.025, 0.5)


def test_headers_match_aliases_ignoring_case_spaces_hyphens_and_underscores(payments):
    text = csv_text(
        " Risk Title ,Type,Owning-Team,Probability,Severity,Target_Likelihood,Target impact,"
        "Labels,ETTD,Time to repair,% users,MTBF days",
        "Checkout slow,capacity,payments,Likely,Major,Unlikely,Major,peak,10,20,1%,30",
    )
    imported(text)
    risk = risk_titled("Checkout slow")
    assert (risk.likelihood, risk.impact) == (4, 4)
    assert (risk.residual_likelihood, risk.residual_impact) == (2, 4)
    assert (risk.tag_names, risk.ettd_minutes, risk.users_impacted) == (["peak"], 10, 0.01)


def test_quoted_cells_keep_newlines_and_delimiters(payments):
    description = 'Line one, with a comma;\nline two "quoted".'
    text = csv_from(
        {
            "title": "Multi-line",
            "description": description,
            "category": "data",
            "team": "payments",
            "likelihood": "2",
            "impact": "2",
        }
    )
    imported(text)
    assert risk_titled("Multi-line").description == description


def test_read_only_columns_are_ignored(payments):
    text = csv_text(
        "title,category,team,likelihood,impact,score,band", "Low,data,payments,1,1,25,critical"
    )
    imported(text)
    assert (risk_titled("Low").score, risk_titled("Low").residual_score) == (1, None)


# Import: errors name the line and the column -----------------------------------------------

GOOD_ROW = {
    "Key": "",
    "Title": "Disk fills up",
    "Category": "capacity",
    "Team": "payments",
    "Owner": "",
    "Likelihood": "3",
    "Impact": "4",
    "Status": "",
    "ETTD (min)": "",
    "ETTR": "",
    "% users": "",
    "ETTF": "",
}
QUANTIFIED = {"ETTD (min)": "5", "ETTR": "30", "% users": "0.1", "ETTF": "30"}


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"Team": "nope"}, "Team", "No team has the slug 'nope'"),
        ({"Likelihood": "7"}, "Likelihood", "must be 1 to 5"),
        ({**QUANTIFIED, "ETTF": "0"}, "ETTF", "must be more than 0"),
        ({**QUANTIFIED, "% users": "1.5"}, "% users", "between 0 and 1"),
        ({"Owner": "ghost@example.com"}, "Owner", "No user has the email 'ghost@example.com'"),
        ({"Title": "x" * 201}, "Title", "at most 200 characters"),
        ({"Status": "accepted"}, "Status", "Accept risks in the tracker"),
        ({"Status": "done"}, "Status", "must be one of open, mitigating"),
        ({"Key": "R-12"}, "Key", "Give the key as RISK-<number>"),
    ],
    ids=[
        "unknown team",
        "likelihood 7",
        "ettf 0",
        "users 1.5",
        "unknown owner",
        "long title",
        "status accepted",
        "unknown status",
        "key form",
    ],
)
def test_bad_cell_is_reported_with_its_line_and_column(payments, cells, column, fragment):
    text = csv_from({**GOOD_ROW, "Title": "Fine"}, {**GOOD_ROW, **cells})
    [(line, error_column, message)] = errors_of(text)
    assert (line, error_column) == (3, column)
    assert fragment in message


def test_errors_of_every_row_are_collected(payments):
    text = csv_text(
        MINIMAL, "A,capacity,nope,3,3", "B,capacity,payments,3,3", "C,capacity,payments,0,9"
    )
    assert [(line, column) for line, column, _ in errors_of(text)] == [
        (2, "team"),
        (4, "likelihood"),
        (4, "impact"),
    ]


def test_line_numbers_count_the_lines_inside_quoted_cells(payments):
    text = csv_text(
        "title,description,category,team,likelihood,impact",
        'A,"two\nlines",data,payments,3,3',
        "B,,data,payments,3,9",
    )
    assert [(line, column) for line, column, _ in errors_of(text)] == [(4, "impact")]


def test_missing_required_columns_are_one_file_level_error(payments):
    [(line, column, message)] = errors_of(csv_text("title,likelihood,impact", "A,3,3"))
    assert (line, column) == (1, "")
    assert "category, team" in message


def test_unknown_columns_are_one_short_warning_and_ignored(payments):
    plan = imported(csv_text(MINIMAL + ",Colour,Size", "A,data,payments,3,3,red,XL"))
    [warning] = plan.warnings
    assert "'Colour', 'Size'" in warning
    assert warning.count("residual_likelihood") == 1 and len(warning) < 450
    assert risk_titled("A").score == 9


def test_strict_refuses_unknown_columns_and_names_the_columns_once(payments):
    plan = plan_import(
        csv_text(MINIMAL + ",Colour,Size", "A,data,payments,3,3,red,XL"), strict=True
    )
    errors = [(error.line, error.column, error.message) for error in plan.errors]
    assert errors[:2] == [
        (1, "Colour", "Unknown column 'Colour'."),
        (1, "Size", "Unknown column 'Size'."),
    ]
    assert len(errors) == 3 and "residual_likelihood" in errors[2][2]
    assert all(len(message) < 450 for _, _, message in errors)
    assert plan.warnings == []


def test_row_limit_refuses_a_bigger_file_with_one_error(app, payments):
    app.config["IMPORT_MAX_ROWS"] = 3
    rows = [f"Risk {n},data,payments,3,3" for n in range(4)]
    assert plan_import(csv_text(MINIMAL, *rows[:3])).valid
    [(line, column, message)] = errors_of(csv_text(MINIMAL, *rows))
    assert (line, column) == (5, "")
    assert "more than 3 risks" in message and "split it" in message


def test_dry_run_shows_what_a_created_risk_will_hold(payments):
    text = csv_text(MINIMAL + ",tags,service", "Disk fills,capacity,payments,3,4,disk,db")
    [row] = plan_import(text).rows
    changes = {name: (old, new) for name, old, new in row.changes}
    assert changes["team"] == (None, "payments")
    assert changes["likelihood"] == (None, "3") and changes["impact"] == (None, "4")
    assert changes["tags"] == (None, "disk") and changes["service"] == (None, "db")
    assert changes["status"] == (None, "open")
    assert "ettd_minutes" not in changes, "no value, nothing to show"


def test_import_reads_and_writes_the_same_for_thirty_rows_as_for_three_but_new_tags(payments):
    def queries_for(first: int, count: int) -> list[str]:
        rows = [f"Risk {n},data,payments,3,3,tag-{n}" for n in range(first, first + count)]
        plan = plan_import(csv_text(MINIMAL + ",tags", *rows))
        with counting_queries() as statements:
            apply_import(plan, None)
        return statements

    def reads(statements: list[str]) -> list[str]:
        return [
            statement.split()[0:4] for statement in statements if statement.startswith("SELECT")
        ]

    thirty, three = queries_for(100, 30), queries_for(0, 3)
    assert reads(thirty) == reads(three)
    # Per row at most its new tag (SQLite inserts new tags one by one); the risks, their
    # tags and their history go in with one statement each, whatever the rows.
    assert len(thirty) - len(three) <= 27
    for table in ("risks", "risk_tags", "risk_events"):
        assert sum(s.startswith(f"INSERT INTO {table} ") for s in thirty) == 1, table


def test_two_rows_may_share_a_new_tag(payments):
    imported(csv_text(MINIMAL + ",tags", "A,data,payments,3,3,fresh", "B,data,payments,3,3,fresh"))
    assert risk_titled("A").tags[0] is risk_titled("B").tags[0]


def test_two_columns_for_one_field_refuse_the_file(payments):
    [(line, column, message)] = errors_of(
        csv_text(MINIMAL + ",Probability", "A,data,payments,3,3,4")
    )
    assert (line, column) == (1, "Probability")
    assert "both give the likelihood" in message


def test_second_row_with_the_same_key_is_an_error(factory, payments):
    risk = factory.risk(team=payments)
    lower = risk.key.lower()
    text = csv_text(
        "key," + MINIMAL, f"{risk.key},A,data,payments,3,3", f"{lower},B,data,payments,3,3"
    )
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (3, "key")
    assert f"{risk.key} is also on line 2" in message


def test_second_keyless_row_with_the_same_title_is_an_error(payments):
    text = csv_text(MINIMAL, "Disk fills up,data,payments,3,3", " disk FILLS up ,data,payments,2,2")
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (3, "title")
    assert "is also on line 2" in message


def test_archived_risk_must_be_restored_before_import(factory, admin, payments):
    risk = factory.risk(team=payments)
    services.archive(risk, admin)
    text = csv_text("key," + MINIMAL, f"{risk.key},Renamed,data,payments,3,3")
    assert errors_of(text) == [(2, "key", f"{risk.key} is archived; restore it first.")]


# Import: which risk a row means, and what it changes ---------------------------------------


def test_a_key_the_tracker_did_not_issue_is_refused_naming_its_row(factory, payments):
    factory.risk(team=payments)
    text = csv_text(
        "key," + MINIMAL, ",Numbered,data,payments,3,3", "RISK-999999999,Far key,data,payments,3,3"
    )
    assert errors_of(text) == [
        (
            3,
            "key",
            "RISK-999999999 is not a risk in this tracker; leave the key empty to create the "
            "risk (it gets the next free key).",
        )
    ]


def test_a_key_past_what_the_tracker_issues_is_not_a_key(payments):
    text = csv_text("key," + MINIMAL, "RISK-1000000000,Far key,data,payments,3,3")
    [(line, column, message)] = errors_of(text)
    assert (line, column) == (2, "key")
    assert "Give the key as RISK-<number>" in message


def test_new_rows_take_the_next_keys_in_file_order(factory, payments):
    risk = factory.risk(team=payments)
    plan = imported(csv_text(MINIMAL, "First,data,payments,3,3", "Second,data,payments,3,3"))
    assert [row.key for row in plan.rows] == ["new", "new"]
    numbers = (risk_titled("First").number, risk_titled("Second").number)
    assert numbers == (risk.number + 1, risk.number + 2)


def test_keyless_row_updates_the_risk_with_the_same_title(factory, payments):
    risk = factory.risk(team=payments, title="Disk fills up", likelihood=3)
    plan = imported(csv_text(MINIMAL, "  DISK fills up ,infrastructure,payments,5,3"))
    assert [(row.action, row.key) for row in plan.rows] == [("update", risk.key)]
    assert risk_numbered(risk.number).likelihood == 5


def test_update_records_each_change_with_the_import_reason_and_actor(factory, admin, payments):
    risk = factory.risk(team=payments, title="Old title", likelihood=3, impact=3, tags="old")
    text = csv_text(
        "key," + MINIMAL + ",tags", f"{risk.key},Renamed,infrastructure,payments,4,3,new"
    )
    plan = imported(text, admin)
    assert plan.rows[0].changes == [
        ("title", "Old title", "Renamed"),
        ("likelihood", "3", "4"),
        ("tags", "old", "new"),
    ]
    events = db.session.scalars(sa.select(RiskEvent).where(RiskEvent.version == 2)).all()
    assert sorted(event.field for event in events) == ["likelihood", "tags", "title"]
    assert {(event.reason, event.actor_id) for event in events} == {(IMPORT_REASON, admin.id)}
    assert (risk_numbered(risk.number).version, risk_numbered(risk.number).score) == (2, 12)


def test_columns_missing_from_the_file_are_left_alone(factory, payments):
    owner = factory.user()
    risk = factory.risk(team=payments, owner=owner, tags="keep", description="Keep me.")
    plan = imported(
        csv_text("key," + MINIMAL, f"{risk.key},{risk.title},infrastructure,payments,3,3")
    )
    assert plan.rows[0].action == "unchanged"
    kept = risk_numbered(risk.number)
    assert (kept.owner_id, kept.tag_names, kept.description) == (owner.id, ["keep"], "Keep me.")


def test_empty_review_date_keeps_the_risks_date(factory, payments):
    risk = factory.risk(team=payments, next_review="2026-05-01")
    text = csv_text(
        f"key,next_review,{MINIMAL}", f"{risk.key},,{risk.title},infrastructure,payments,3,3"
    )
    assert imported(text).rows[0].action == "unchanged"
    assert risk_numbered(risk.number).next_review == date(2026, 5, 1)


def test_status_change_is_applied_directly_and_recorded(factory, payments):
    risk = factory.risk(team=payments)
    imported(
        csv_text(
            "key,status," + MINIMAL, f"{risk.key},closed,{risk.title},infrastructure,payments,3,3"
        )
    )
    event = db.session.scalars(sa.select(RiskEvent).where(RiskEvent.field == "status")).one()
    assert risk_numbered(risk.number).status == "closed"
    assert (event.old_value, event.new_value, event.reason) == ("open", "closed", IMPORT_REASON)


def test_leaving_accepted_on_import_ends_the_acceptance(factory, admin, payments):
    risk = factory.risk(team=payments)
    services.change_status(risk, "accepted", admin, approver=admin, expires_on=date(2026, 9, 1))
    imported(
        csv_text(
            "key,status," + MINIMAL,
            f"{risk.key},mitigating,{risk.title},infrastructure,payments,3,3",
        )
    )
    after = risk_numbered(risk.number)
    assert after.status == "mitigating"
    assert (after.accepted_by_id, after.acceptance_expires) == (None, None)


def test_new_risk_without_a_review_date_is_due_after_its_bands_cadence(payments, clock):
    imported(csv_text(MINIMAL, "High one,data,payments,3,4"))
    assert risk_titled("High one").next_review == date(2026, 3, 16)  # high: 14 days


def test_a_change_in_the_seventh_significant_digit_is_recorded(factory, payments):
    risk = factory.risk(
        team=payments, ettd_minutes=1, ettr_minutes=1, users_impacted=0.0123456789, ettf_days=5
    )
    text = exported().replace("0.0123456789", "0.0123456788")
    imported(text)
    assert db.session.scalars(
        sa.select(RiskEvent).where(
            RiskEvent.risk_id == risk.id, RiskEvent.field == "users_impacted"
        )
    ).all()


# Import: permissions -----------------------------------------------------------------------


def test_manager_cannot_import_rows_for_another_team(manager, platform):
    text = csv_text(MINIMAL, "Ours,data,payments,3,3", "Theirs,data,platform,3,3")
    [(line, column, message)] = errors_of(text, manager)
    assert (line, column) == (3, "team")
    assert "only for your own teams, not platform" in message


def test_manager_cannot_update_another_teams_risk(factory, manager, platform):
    risk = factory.risk(team=platform)
    text = csv_text("key," + MINIMAL, f"{risk.key},Moved to us,data,payments,3,3")
    [(line, column, message)] = errors_of(text, manager)
    assert (line, column) == (2, "team")
    assert f"{risk.key} belongs to platform" in message


def test_viewer_cannot_import(viewer, payments):
    with pytest.raises(PermissionDenied):
        plan_import(csv_text(MINIMAL, "A,data,payments,3,3"), viewer)


# CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "risks.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_cli_import_prints_each_row_and_a_summary(runner, csv_file, factory, payments):
    risk = factory.risk(team=payments, title="Existing")
    text = csv_text(
        "key," + MINIMAL,
        f"{risk.key},Existing,infrastructure,payments,5,3",
        ",Brand new,data,payments,2,2",
    )
    result = runner.invoke(risks_cli, ["import", csv_file(text)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["line", "2", "update", risk.key, "Existing", "(likelihood)"]
    assert lines[1].split() == ["line", "3", "create", "new", "Brand", "new"]
    assert lines[2] == "Created 1, updated 1; 0 unchanged."
    assert risk_titled("Brand new").number == risk.number + 1


def test_cli_dry_run_writes_nothing(runner, csv_file, payments):
    snapshot = db_snapshot()
    result = runner.invoke(
        risks_cli, ["import", "--dry-run", csv_file(csv_text(MINIMAL, "A,data,payments,3,3"))]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[-1]
        == "Dry run, nothing written: would create 1, update 0; 0 unchanged."
    )
    assert db_snapshot() == snapshot


def test_cli_prints_every_error_on_stderr_and_exits_1(runner, csv_file, payments):
    snapshot = db_snapshot()
    text = csv_text(MINIMAL, "Good,data,payments,3,3", "Bad,data,nope,3,7")
    result = runner.invoke(risks_cli, ["import", csv_file(text)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "line 3, column team: No team has the slug 'nope'. Give a team's slug.",
        "line 3, column impact: The impact must be 1 to 5 or one of Negligible, Minor, Moderate, "
        "Major, Severe (got '7').",
        "Nothing imported: 2 problem(s) to fix.",
    ]
    assert db_snapshot() == snapshot


def test_cli_warns_of_unknown_columns_once_and_imports_the_rest(runner, csv_file, payments):
    text = csv_text(MINIMAL + ",Colour", "A,data,payments,3,3,red", "B,data,payments,3,3,blue")
    result = runner.invoke(risks_cli, ["import", csv_file(text)])
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith("Warning: Ignored 1 column(s) this import does not know: 'Colour'.")
    assert result.stdout.splitlines()[-1] == "Created 2, updated 0; 0 unchanged."


def test_cli_strict_refuses_unknown_columns(runner, csv_file, payments):
    snapshot = db_snapshot()
    text = csv_text(MINIMAL + ",Colour", "A,data,payments,3,3,red")
    result = runner.invoke(risks_cli, ["import", "--strict", csv_file(text)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "line 1, column Colour: Unknown column 'Colour'."
    assert db_snapshot() == snapshot


def test_cli_create_teams_imports_the_sample_on_a_fresh_install(runner):
    sample = PROJECT_ROOT / "static" / "samples" / "risks.csv"
    result = runner.invoke(risks_cli, ["import", "--create-teams", str(sample)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Created 9, updated 0; 0 unchanged."


def test_cli_import_reads_stdin_and_records_the_acting_user(runner, admin, payments):
    result = runner.invoke(
        risks_cli,
        ["import", "-", "--as", admin.email],
        input=csv_text(MINIMAL, "From stdin,data,payments,3,3"),
    )
    assert result.exit_code == 0, result.output
    assert risk_titled("From stdin").created_by_id == admin.id
    assert db.session.scalars(sa.select(RiskEvent.actor_id)).all() == [admin.id]


def test_cli_export_writes_the_register_to_stdout(runner, register):
    result = runner.invoke(risks_cli, ["export", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == exported()


def test_cli_export_writes_a_file_excel_reads_as_utf8(runner, register, tmp_path):
    path = tmp_path / "out.csv"
    result = runner.invoke(risks_cli, ["export", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 2 risk(s) to {path}.\n"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert plan_import(path.read_text(encoding="utf-8")).counts.unchanged == 2


def test_sample_file_imports_cleanly_on_a_fresh_install(admin):
    sample = (PROJECT_ROOT / "static" / "samples" / "risks.csv").read_text(encoding="utf-8")
    plan = plan_import(sample, admin, create_teams=True)
    assert plan.valid, plan.errors
    assert plan.warnings == ["Creates the team(s) data, platform, payments."]
    apply_import(plan, admin)
    assert plan.counts.create == 9
    tls = risk_titled("TLS certificate on the partner API expires unnoticed")
    assert tls.team.slug == "platform" and tls.team.name == "Platform"
    assert tls.bad_minutes_per_year == pytest.approx(
        budget.bad_minutes_per_year(1440, 30, 0.02, 90)
    )


def test_without_create_teams_an_unknown_team_is_an_error_and_nothing_is_made(admin):
    text = csv_text(MINIMAL, "A,data,newteam,3,3")
    [(line, column, message)] = errors_of(text, admin)
    assert (line, column) == (2, "team") and "newteam" in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0


def test_only_admins_create_teams_by_import(manager):
    with pytest.raises(PermissionDenied, match="Only admins create teams"):
        plan_import(csv_text(MINIMAL, "A,data,newteam,3,3"), manager, create_teams=True)


def test_create_teams_still_refuses_a_slug_no_team_could_have(admin):
    plan = plan_import(csv_text(MINIMAL, "A,data,Not A Slug!,3,3"), admin, create_teams=True)
    [error] = plan.errors
    assert (error.line, error.column) == (2, "team") and "not a slug!" in error.message
    assert plan.warnings == []


def test_a_nul_in_a_cell_is_an_error_on_its_line_and_column(payments):
    # PostgreSQL refuses a NUL in text: it must never reach the database.
    text = csv_text(MINIMAL, "Good,capacity,payments,3,3", "Bad\x00title,capacity,payments,3,3")
    assert errors_of(text) == [
        (
            3,
            "title",
            "This cell holds a NUL character (\\u0000), which cannot be stored; remove it.",
        )
    ]
