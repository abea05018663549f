"""`flask mitigations overdue`: which mitigations it lists, in what order, and in what formats.

The clock fixture starts at 2026-03-02 09:00 UTC, so "today" is 2026-03-02 unless a test moves
the clock or sets TIMEZONE.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from tracker.mitigations.cli import mitigations_cli
from tracker.mitigations.services import add_mitigation
from tracker.risks import services as risk_services

TODAY = date(2026, 3, 2)
CSV_COLUMNS = [
    "due_date",
    "days_overdue",
    "risk",
    "risk_title",
    "mitigation_id",
    "mitigation",
    "team",
    "owner",
    "status",
]


@pytest.fixture
def payments(factory):
    return factory.team("payments", "Payments")


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database has no failover")


def add(risk, title, due, *, team="payments", status="planned", owner=None, actor=None):
    """A mitigation made through the service (which accepts past due dates on creation)."""
    raw = {"title": title, "team": team, "due_date": due, "status": status}
    if owner is not None:
        raw["owner"] = owner.email
    if status == "blocked":
        raw["notes"] = "Waiting on the vendor."
    return add_mitigation(risk, raw, actor)


def overdue(runner, *args):
    return runner.invoke(mitigations_cli, ["overdue", *args])


def listed_titles(output: str) -> list[str]:
    """The mitigation titles in a text listing (the column under MITIGATION)."""
    lines = output.splitlines()
    header = re.split(r" {2,}", lines[0])
    column = header.index("MITIGATION")
    return [re.split(r" {2,}", line)[column] for line in lines[1:-1]]


def csv_rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


# What is listed


@pytest.mark.parametrize("status", ["planned", "in_progress", "blocked"])
def test_lists_open_mitigation_due_before_today(runner, risk, status):
    add(risk, "Add a replica", date(2026, 3, 1), status=status)

    result = overdue(runner)

    assert result.exit_code == 0, result.output
    assert listed_titles(result.output) == ["Add a replica"]
    assert result.output.splitlines()[-1] == "1 overdue mitigation"


def test_mitigation_due_today_is_not_overdue(runner, risk):
    add(risk, "Due today", TODAY)
    add(risk, "Due yesterday", date(2026, 3, 1))

    result = overdue(runner)

    assert listed_titles(result.output) == ["Due yesterday"]


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_mitigation_is_not_listed(runner, risk, status):
    add(risk, "Finished long ago", date(2026, 1, 10), status=status)

    result = overdue(runner)

    assert result.exit_code == 0
    assert result.output == "No overdue mitigations.\n"


def test_mitigation_of_archived_risk_is_not_listed(runner, factory, payments, admin):
    archived = factory.risk(team=payments, title="Retired service")
    current = factory.risk(team=payments, title="Live service")
    add(archived, "On the archived risk", date(2026, 2, 1))
    add(current, "On the current risk", date(2026, 2, 1))
    risk_services.archive(archived, admin)

    result = overdue(runner)

    assert listed_titles(result.output) == ["On the current risk"]


def test_nothing_overdue_says_so_and_succeeds(runner, risk):
    add(risk, "Next month", date(2026, 4, 1))

    result = overdue(runner)

    assert result.exit_code == 0
    assert result.output == "No overdue mitigations.\n"


def test_oldest_due_is_listed_first(runner, factory, payments, risk):
    other = factory.risk(team=payments)
    add(risk, "Five days late", date(2026, 2, 25))
    add(other, "Forty days late", date(2026, 1, 21))
    add(risk, "One day late", date(2026, 3, 1))

    result = overdue(runner)

    assert listed_titles(result.output) == ["Forty days late", "Five days late", "One day late"]
    assert result.output.splitlines()[-1] == "3 overdue mitigations"


# The text format


def test_text_row_shows_due_date_days_risk_team_owner_and_status(runner, factory, risk):
    owner = factory.user(email="olga@example.com", role="manager")
    add(risk, "Add a replica", date(2026, 2, 20), status="in_progress", owner=owner)

    result = overdue(runner)

    header, row, summary = result.output.splitlines()
    assert re.split(r" {2,}", header) == [
        "DUE",
        "DAYS",
        "RISK",
        "RISK TITLE",
        "MITIGATION",
        "TEAM",
        "OWNER",
        "STATUS",
    ]
    assert re.split(r" {2,}", row) == [
        "2026-02-20",
        "10",
        risk.key,
        "Primary database has no failover",
        "Add a replica",
        "payments",
        "olga@example.com",
        "in_progress",
    ]
    assert summary == "1 overdue mitigation"


def test_text_row_without_owner_shows_a_dash(runner, risk):
    add(risk, "Nobody yet", date(2026, 2, 20))

    row = overdue(runner).output.splitlines()[1]

    assert re.split(r" {2,}", row)[6] == "-"


def test_text_columns_are_aligned(runner, factory, payments, risk):
    other = factory.risk(team=payments, title="Short")
    add(risk, "A long mitigation title here", date(2026, 2, 1))
    add(other, "Tiny", date(2026, 2, 28))

    lines = overdue(runner).output.splitlines()[:-1]

    team_column = lines[0].index("TEAM")
    assert all(line[team_column:].startswith("payments") for line in lines[1:])


def test_long_risk_title_is_shortened_in_text(runner, factory, payments):
    long_title = "Storage cluster loses quorum when two racks fail " * 3
    long_risk = factory.risk(team=payments, title=long_title.strip())
    add(long_risk, "Spread replicas", date(2026, 2, 1))

    row = overdue(runner).output.splitlines()[1]
    shown = re.split(r" {2,}", row)[3]

    assert shown.endswith("…")
    assert len(shown) <= 40
    assert long_title.startswith(shown[:-1])


# --team


def test_team_option_lists_only_that_teams_mitigations(runner, risk, search):
    add(risk, "Payments work", date(2026, 2, 1))
    add(risk, "Search work", date(2026, 2, 1), team="search")

    result = overdue(runner, "--team", "search")

    assert result.exit_code == 0, result.output
    assert listed_titles(result.output) == ["Search work"]


def test_team_with_nothing_overdue_says_so(runner, risk, search):
    add(risk, "Payments work", date(2026, 2, 1))

    result = overdue(runner, "--team", "search")

    assert result.exit_code == 0
    assert result.output == "No overdue mitigations.\n"


def test_team_slug_is_matched_regardless_of_case(runner, risk):
    add(risk, "Payments work", date(2026, 2, 1))

    result = overdue(runner, "--team", "Payments")

    assert listed_titles(result.output) == ["Payments work"]


def test_unknown_team_is_refused_with_one_line(runner, risk):
    add(risk, "Payments work", date(2026, 2, 1))

    result = overdue(runner, "--team", "nope")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: No team has the slug 'nope'.\n"


# --format csv


def test_csv_has_exactly_the_documented_columns(runner, risk):
    add(risk, "Add a replica", date(2026, 2, 1))

    result = overdue(runner, "--format", "csv")

    assert result.exit_code == 0, result.output
    assert csv.DictReader(io.StringIO(result.output)).fieldnames == CSV_COLUMNS


def test_csv_row_holds_full_values(runner, factory, risk):
    owner = factory.user(email="olga@example.com", role="manager")
    mitigation = add(risk, "Add a replica, then test failover", date(2026, 2, 20), owner=owner)

    rows = csv_rows(overdue(runner, "--format", "csv").output)

    assert rows == [
        {
            "due_date": "2026-02-20",
            "days_overdue": "10",
            "risk": risk.key,
            "risk_title": "Primary database has no failover",
            "mitigation_id": str(mitigation.id),
            "mitigation": "Add a replica, then test failover",
            "team": "payments",
            "owner": "olga@example.com",
            "status": "planned",
        }
    ]


def test_csv_keeps_long_titles_whole_and_owner_blank_when_none(runner, factory, payments):
    long_title = "Storage cluster loses quorum when two racks fail, " * 3
    long_risk = factory.risk(team=payments, title=long_title.strip())
    add(long_risk, "Spread replicas", date(2026, 2, 1))

    (row,) = csv_rows(overdue(runner, "--format", "csv").output)

    assert row["risk_title"] == long_title.strip()
    assert row["owner"] == ""


def test_csv_is_ordered_oldest_due_first_with_no_summary_line(runner, risk):
    add(risk, "Later", date(2026, 2, 27))
    add(risk, "Earlier", date(2026, 2, 3))

    output = overdue(runner, "--format", "csv").output

    assert [row["mitigation"] for row in csv_rows(output)] == ["Earlier", "Later"]
    assert len(output.splitlines()) == 3


def test_csv_with_nothing_overdue_is_just_the_header(runner, risk):
    result = overdue(runner, "--format", "csv")

    assert result.exit_code == 0
    assert result.output == ",".join(CSV_COLUMNS) + "\n"


def test_unknown_format_is_refused(runner):
    result = overdue(runner, "--format", "json")

    assert result.exit_code == 2
    assert "json" in result.stderr


# The clock and the time zone


def test_days_overdue_follow_the_clock(runner, clock, risk):
    add(risk, "Add a replica", date(2026, 3, 1))
    assert csv_rows(overdue(runner, "--format", "csv").output)[0]["days_overdue"] == "1"

    clock.advance(days=6)

    assert csv_rows(overdue(runner, "--format", "csv").output)[0]["days_overdue"] == "7"


def test_mitigation_becomes_overdue_when_the_clock_passes_its_due_date(runner, clock, risk):
    add(risk, "Due in two days", date(2026, 3, 4))
    assert overdue(runner).output == "No overdue mitigations.\n"

    clock.advance(days=3)

    rows = csv_rows(overdue(runner, "--format", "csv").output)
    assert [(row["mitigation"], row["days_overdue"]) for row in rows] == [("Due in two days", "1")]


def test_today_is_the_utc_date_by_default(runner, clock, risk):
    clock.current = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    add(risk, "Due on the 2nd", date(2026, 3, 2))

    rows = csv_rows(overdue(runner, "--format", "csv").output)

    assert [(row["mitigation"], row["days_overdue"]) for row in rows] == [("Due on the 2nd", "1")]


@pytest.mark.app_config(TIMEZONE="America/Los_Angeles")
def test_today_is_the_date_in_the_timezone_setting(runner, clock, risk):
    # 03:00 UTC on the 3rd is still the evening of the 2nd in Los Angeles.
    clock.current = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    add(risk, "Due on the 2nd", date(2026, 3, 2))
    add(risk, "Due on the 1st", date(2026, 3, 1))

    rows = csv_rows(overdue(runner, "--format", "csv").output)

    assert [(row["mitigation"], row["days_overdue"]) for row in rows] == [("Due on the 1st", "1")]


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(runner, factory, payments):
    risky = factory.risk(team=payments, title='=HYPERLINK("http://evil.example","Open")')
    add(risky, "+cmd|' /C calc'!A0", date(2026, 2, 1))

    (row,) = csv_rows(overdue(runner, "--format", "csv").output)

    assert row["risk_title"] == '\'=HYPERLINK("http://evil.example","Open")'
    assert row["mitigation"] == "'+cmd|' /C calc'!A0"
