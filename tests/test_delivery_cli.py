"""`flask delivery report`."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.test_roadmap import work


@pytest.fixture
def delivered(factory):
    sre, search = factory.team("sre", "SRE"), factory.team("search", "Search")
    risk = factory.risk(sre)
    work(risk, sre, due_date=date(2026, 1, 20), status="done", completed_on=date(2026, 1, 25))
    work(risk, sre, due_date=date(2026, 2, 20), status="done", completed_on=date(2026, 2, 20))
    work(risk, search, due_date=date(2026, 2, 1), status="blocked", notes="vendor")
    work(risk, search, due_date=date(2025, 11, 1), status="done", completed_on=date(2025, 10, 1))
    return sre, search


def test_the_report_is_a_table_per_team_and_overall(runner, delivered):
    result = runner.invoke(args=["delivery", "report"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Delivery, 2026Q1 (on time = by the original due date)"
    assert lines[2].split() == ["search", "1", "0", "0", "0", "—", "—", "0.00", "1", "1"]
    assert lines[3].split() == ["sre", "2", "2", "1", "1", "50%", "5", "0.00", "0", "0"]
    assert lines[4].split()[:3] == ["all", "teams", "3"]


def test_the_report_reads_a_quarter_and_a_team_as_csv(runner, delivered):
    result = runner.invoke(
        args=["delivery", "report", "--team", "search", "--quarter", "2025Q4", "--format", "csv"]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows == [
        {
            "quarter": "2025Q4",
            "team": "search",
            "due": "1",
            "completed": "1",
            "on_time": "1",
            "late": "0",
            "on_time_rate": "1.0",
            "median_days_late": "",
            "slips_per_mitigation": "0.0",
            "overdue": "0",
            "blocked": "0",
        }
    ]


def test_the_report_as_markdown(runner, delivered):
    result = runner.invoke(args=["delivery", "report", "--format", "markdown"])

    assert result.output.startswith("# Delivery, 2026Q1\n")
    assert "| sre | 2 | 2 | 1 | 1 | 50% | 5 | 0.00 | 0 | 0 |" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nope"], "Error: No team has the slug 'nope'."),
        (["--quarter", "2026Q9"], "Error: '2026Q9' is not a quarter: write it as YEARQn"),
    ],
)
def test_the_report_refuses_bad_input_in_one_line(runner, delivered, args, message):
    result = runner.invoke(args=["delivery", "report", *args])

    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
