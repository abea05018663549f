"""Unit tests for tracker.domain.mitigations: due states, slips, change rules (no app, no DB)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.mitigations import (
    DEFAULT_DUE_SOON_DAYS,
    OPEN_STATUSES,
    STATUSES,
    all_complete,
    change_problems,
    completed_on,
    due_state,
    is_slip,
    slip_summary,
    starts_risk_mitigation,
)

TODAY = date(2026, 3, 15)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
CLOSED_STATUSES = [status for status in STATUSES if status not in OPEN_STATUSES]


# due_state


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_open_mitigation_due_yesterday_is_overdue(status):
    assert due_state(status, YESTERDAY, TODAY) == "overdue"


def test_mitigation_due_long_ago_is_overdue():
    assert due_state("planned", TODAY - timedelta(days=400), TODAY) == "overdue"


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_open_mitigation_due_today_is_due_soon_not_overdue(status):
    assert due_state(status, TODAY, TODAY) == "due_soon"


def test_last_day_of_the_window_is_due_soon():
    last_day = TODAY + timedelta(days=DEFAULT_DUE_SOON_DAYS)
    assert DEFAULT_DUE_SOON_DAYS == 14
    assert due_state("planned", last_day, TODAY) == "due_soon"


def test_day_after_the_window_is_neither():
    assert due_state("planned", TODAY + timedelta(days=15), TODAY) is None


@pytest.mark.parametrize("status", CLOSED_STATUSES)
@pytest.mark.parametrize("due", [YESTERDAY, TODAY, TOMORROW], ids=["past", "today", "future"])
def test_closed_mitigation_has_no_due_state(status, due):
    assert due_state(status, due, TODAY) is None


def test_window_of_zero_days_counts_only_today_as_due_soon():
    assert due_state("in_progress", TODAY, TODAY, due_soon_days=0) == "due_soon"
    assert due_state("in_progress", TOMORROW, TODAY, due_soon_days=0) is None
    assert due_state("in_progress", YESTERDAY, TODAY, due_soon_days=0) == "overdue"


def test_custom_window_moves_the_last_due_soon_day():
    assert due_state("planned", TODAY + timedelta(days=3), TODAY, due_soon_days=3) == "due_soon"
    assert due_state("planned", TODAY + timedelta(days=4), TODAY, due_soon_days=3) is None


# is_slip


def test_moving_the_due_date_later_is_a_slip():
    assert is_slip(TODAY, TOMORROW)


def test_pulling_the_due_date_in_is_not_a_slip():
    assert not is_slip(TODAY, YESTERDAY)


def test_keeping_the_due_date_is_not_a_slip():
    assert not is_slip(TODAY, TODAY)


# change_problems


def test_plain_status_change_has_no_problems():
    assert change_problems("planned", "in_progress", old_due=TODAY, new_due=TODAY) == {}


def test_becoming_blocked_needs_a_note():
    problems = change_problems("in_progress", "blocked", old_due=None, new_due=None)
    assert set(problems) == {"notes"}


def test_becoming_blocked_with_a_blank_note_needs_a_note():
    problems = change_problems("planned", "blocked", old_due=None, new_due=None, note="  \n ")
    assert set(problems) == {"notes"}


def test_becoming_blocked_with_a_note_is_allowed():
    assert (
        change_problems(
            "planned", "blocked", old_due=None, new_due=None, note="Waiting on the vendor."
        )
        == {}
    )


def test_staying_blocked_needs_no_new_note():
    assert change_problems("blocked", "blocked", old_due=None, new_due=None) == {}


def test_moved_due_date_needs_a_reason():
    problems = change_problems("planned", "planned", old_due=TODAY, new_due=TOMORROW)
    assert set(problems) == {"reason"}


def test_due_date_pulled_in_also_needs_a_reason():
    problems = change_problems("planned", "planned", old_due=TODAY, new_due=YESTERDAY, reason=" ")
    assert set(problems) == {"reason"}


def test_moved_due_date_with_a_reason_is_allowed():
    assert (
        change_problems(
            "planned", "planned", old_due=TODAY, new_due=TOMORROW, reason="Vendor delay."
        )
        == {}
    )


def test_unchanged_due_date_needs_no_reason():
    assert change_problems("planned", "planned", old_due=TODAY, new_due=TODAY) == {}


@pytest.mark.parametrize(("old_due", "new_due"), [(None, TODAY), (TODAY, None), (None, None)])
def test_due_date_not_given_on_both_sides_needs_no_reason(old_due, new_due):
    assert change_problems("planned", "planned", old_due=old_due, new_due=new_due) == {}


def test_unknown_status_is_a_problem_naming_the_statuses():
    problems = change_problems("planned", "paused", old_due=None, new_due=None)
    assert set(problems) == {"status"}
    for status in STATUSES:
        assert status in problems["status"]


def test_every_problem_is_reported_at_once():
    problems = change_problems("planned", "blocked", old_due=TODAY, new_due=TOMORROW)
    assert set(problems) == {"notes", "reason"}


# completed_on


@pytest.mark.parametrize("old_status", ["planned", "in_progress", "blocked", "cancelled"])
def test_becoming_done_sets_completion_to_today(old_status):
    assert completed_on(old_status, "done", None, TODAY) == TODAY


def test_staying_done_keeps_the_completion_date():
    assert completed_on("done", "done", YESTERDAY, TODAY) == YESTERDAY


def test_staying_done_without_a_recorded_date_sets_today():
    assert completed_on("done", "done", None, TODAY) == TODAY


def test_becoming_done_again_ignores_a_stale_completion_date():
    assert completed_on("in_progress", "done", YESTERDAY, TODAY) == TODAY


@pytest.mark.parametrize("new_status", ["planned", "in_progress", "blocked", "cancelled"])
def test_reopening_or_cancelling_clears_the_completion_date(new_status):
    assert completed_on("done", new_status, YESTERDAY, TODAY) is None


# starts_risk_mitigation


@pytest.mark.parametrize("old_status", ["planned", "blocked", "done", "cancelled"])
def test_starting_work_on_an_open_risk_starts_its_mitigation(old_status):
    assert starts_risk_mitigation("open", old_status, "in_progress")


def test_staying_in_progress_does_not_start_it_again():
    assert not starts_risk_mitigation("open", "in_progress", "in_progress")


@pytest.mark.parametrize("new_status", ["planned", "blocked", "done", "cancelled"])
def test_other_statuses_do_not_start_the_risk_mitigation(new_status):
    assert not starts_risk_mitigation("open", "planned", new_status)


@pytest.mark.parametrize("risk_status", ["mitigating", "accepted", "mitigated", "closed"])
def test_only_an_open_risk_moves_to_mitigating(risk_status):
    assert not starts_risk_mitigation(risk_status, "planned", "in_progress")


# all_complete


def test_no_mitigations_are_not_complete():
    assert not all_complete([])


def test_all_cancelled_is_not_complete():
    assert not all_complete(["cancelled", "cancelled"])


def test_done_and_cancelled_is_complete():
    assert all_complete(["done", "cancelled"])


def test_all_done_is_complete():
    assert all_complete(["done"])


@pytest.mark.parametrize("open_status", OPEN_STATUSES)
def test_any_open_mitigation_is_not_complete(open_status):
    assert not all_complete(["done", "cancelled", open_status])


def test_all_complete_accepts_a_generator():
    assert all_complete(status for status in ("done", "cancelled"))


# slip_summary


def test_slip_summary_counts_slips_and_days():
    assert slip_summary(2, 23) == "slipped 2×, +23 days"


def test_never_slipped_has_no_summary():
    assert slip_summary(0, 0) == ""


def test_no_slips_means_no_summary_even_when_pulled_in():
    assert slip_summary(0, -5) == ""


def test_net_days_pulled_in_show_a_minus_sign():
    assert slip_summary(1, -5) == "slipped 1×, -5 days"


def test_slipped_and_pulled_back_to_the_original_shows_zero_days():
    assert slip_summary(1, 0) == "slipped 1×, +0 days"
