"""The delivery rules: quarters, on time by the original date, the figures."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.delivery import Quarter, Tally, Work, figures, recent_quarters, tally


def test_a_quarter_knows_its_days():
    quarter = Quarter(2026, 4)

    assert (quarter.first_day, quarter.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter(2024, 1).last_day == date(2024, 3, 31)
    assert Quarter.of(date(2026, 12, 31)) == quarter
    assert Quarter.of(date(2027, 1, 1)) == Quarter(2027, 1)
    assert quarter.next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == quarter
    assert str(quarter) == "2026Q4"


@pytest.mark.parametrize("text", ["2026Q4", "2026q4", " 2026-Q4 "])
def test_a_quarter_reads_as_written(text):
    assert Quarter.parse(text) == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["", "2026Q5", "Q4 2026", "2026", "26Q1", "2026Q0", "99999Q1"])
def test_a_malformed_quarter_says_how_to_write_it(text):
    with pytest.raises(ValueError, match=r"write it as YEARQn, e\.g\. 2026Q4"):
        Quarter.parse(text)


def test_recent_quarters_end_with_the_current_one():
    assert [str(q) for q in recent_quarters(date(2026, 2, 1))] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
    ]


Q4 = Quarter(2026, 4)
TODAY = date(2027, 1, 15)


def test_due_on_the_last_day_and_completed_the_next_is_late_by_one_day():
    work = [Work("done", date(2026, 12, 31), date(2026, 12, 31), completed_on=date(2027, 1, 1))]

    counts, days_late = tally(work, Q4, TODAY)

    assert (counts.due, counts.completed, counts.on_time, counts.late) == (1, 1, 0, 1)
    assert days_late == [1]
    assert tally(work, Q4.next(), TODAY)[0].due == 0


def test_on_time_is_judged_by_the_original_date_even_after_slips():
    slipped_then_done = Work(
        "done", date(2026, 12, 1), date(2026, 10, 15), completed_on=date(2026, 11, 30), slip_count=2
    )
    pulled_in_and_done = Work(
        "done", date(2026, 10, 20), date(2026, 11, 1), completed_on=date(2026, 10, 20)
    )

    counts, days_late = tally([slipped_then_done, pulled_in_and_done], Q4, TODAY)

    assert (counts.on_time, counts.late, counts.slips) == (1, 1, 2)
    assert days_late == [46]


def test_cancelled_work_and_other_quarters_do_not_count():
    work = [
        Work("cancelled", date(2026, 11, 1), date(2026, 11, 1)),
        Work("planned", date(2026, 9, 30), date(2026, 9, 30)),
        Work("blocked", date(2026, 10, 1), date(2026, 10, 1)),
        Work("in_progress", date(2027, 2, 1), date(2026, 12, 1), slip_count=1),
    ]

    counts, _ = tally(work, Q4, TODAY)

    assert counts == Tally(due=1, overdue=1, blocked=1)


def test_figures_have_no_rate_while_nothing_is_completed():
    result = figures(Tally(due=3, overdue=1), [])

    assert result.on_time_rate is None
    assert result.median_days_late is None
    assert result.slips_per_mitigation == 0
    assert figures(Tally(), []).slips_per_mitigation is None


def test_figures_take_the_median_of_the_days_late():
    result = figures(Tally(due=5, completed=4, on_time=1, late=3, slips=4), [10, 2, 5])

    assert result.on_time_rate == 0.25
    assert result.median_days_late == 5
    assert result.slips_per_mitigation == 0.8


def test_done_work_without_a_completion_date_counts_as_completed_but_is_not_judged():
    counts, _ = tally([Work("done", date(2026, 11, 1), date(2026, 11, 1))], Q4, TODAY)

    assert (counts.completed, counts.on_time, counts.late) == (1, 0, 0)
    assert figures(counts, []).on_time_rate is None
