"""Unit tests for tracker.domain.lifecycle: status moves and acceptance expiry (no app, no DB)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.lifecycle import (
    ACTIVE_STATUSES,
    STATUSES,
    TRANSITIONS,
    acceptance_expired,
    transition_problems,
)

TODAY = date(2026, 3, 15)
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)

ALLOWED = [(current, target) for current, targets in TRANSITIONS.items() for target in targets]
DISALLOWED = [
    (current, target)
    for current in STATUSES
    for target in STATUSES
    if target != current and target not in TRANSITIONS[current]
]


def everything_needed() -> dict:
    """A reason, an approver and a future expiry: enough for any allowed move."""
    return {"reason": "Agreed at the review.", "approver_id": 7, "expires_on": TOMORROW}


# The tables themselves


def test_every_status_has_its_transitions():
    assert set(TRANSITIONS) == set(STATUSES)


def test_transitions_only_name_known_statuses_and_never_the_same_one():
    for current, targets in TRANSITIONS.items():
        assert set(targets) <= set(STATUSES)
        assert current not in targets


def test_active_statuses_are_known_statuses():
    assert set(ACTIVE_STATUSES) <= set(STATUSES)


# transition_problems: allowed and refused moves


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_with_what_it_needs_has_no_problems(current, target):
    assert transition_problems(current, target, today=TODAY, **everything_needed()) == {}


@pytest.mark.parametrize(
    ("current", "target"), [pair for pair in ALLOWED if pair[1] in ("mitigating", "mitigated")]
)
def test_moving_to_mitigating_or_mitigated_needs_nothing(current, target):
    assert transition_problems(current, target, today=TODAY) == {}


def test_closed_to_mitigated_is_refused_naming_the_allowed_moves():
    problems = transition_problems("closed", "mitigated", today=TODAY, **everything_needed())

    assert problems == {"status": "A closed risk can move to open, not mitigated."}


@pytest.mark.parametrize(("current", "target"), DISALLOWED)
def test_every_disallowed_transition_is_refused_naming_the_allowed_moves(current, target):
    problems = transition_problems(current, target, today=TODAY, **everything_needed())

    assert list(problems) == ["status"]
    assert ", ".join(TRANSITIONS[current]) in problems["status"]
    assert problems["status"].endswith(f"not {target}.")


@pytest.mark.parametrize("status", STATUSES)
def test_moving_to_the_same_status_is_refused(status):
    problems = transition_problems(status, status, today=TODAY, **everything_needed())

    assert problems == {"status": f"The risk is already {status}."}


@pytest.mark.parametrize("target", ["reopened", "", "Open", "CLOSED", " open"])
def test_unknown_target_status_is_refused_listing_the_statuses(target):
    problems = transition_problems("open", target, today=TODAY, **everything_needed())

    assert problems == {"status": f"Status must be one of {', '.join(STATUSES)}."}


# transition_problems: reasons


@pytest.mark.parametrize("current", [c for c, targets in TRANSITIONS.items() if "open" in targets])
@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_reopening_without_a_reason_is_refused(current, reason):
    problems = transition_problems(current, "open", reason=reason, today=TODAY)

    assert problems == {"reason": "Say why you are reopening the risk."}


@pytest.mark.parametrize(
    "current", [c for c, targets in TRANSITIONS.items() if "closed" in targets]
)
@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_closing_without_a_reason_is_refused(current, reason):
    problems = transition_problems(current, "closed", reason=reason, today=TODAY)

    assert problems == {"reason": "Say why you are closing the risk."}


def test_reopening_with_a_reason_is_allowed():
    assert transition_problems("closed", "open", reason="It happened again.", today=TODAY) == {}


def test_closing_with_a_reason_is_allowed():
    assert transition_problems("open", "closed", reason="Service retired.", today=TODAY) == {}


# transition_problems: accepting


def test_accepting_needs_an_approver():
    problems = transition_problems("open", "accepted", expires_on=TOMORROW, today=TODAY)

    assert problems == {"approver": "Name who approves accepting the risk."}


def test_accepting_needs_an_expiry_date():
    problems = transition_problems("open", "accepted", approver_id=7, today=TODAY)

    assert problems == {"expires_on": "Give the date the acceptance expires."}


def test_accepting_without_approver_or_expiry_reports_both():
    problems = transition_problems("mitigating", "accepted", today=TODAY)

    assert set(problems) == {"approver", "expires_on"}


@pytest.mark.parametrize("expires_on", [TODAY, YESTERDAY], ids=["today", "yesterday"])
def test_accepting_with_an_expiry_not_after_today_is_refused(expires_on):
    problems = transition_problems(
        "open", "accepted", approver_id=7, expires_on=expires_on, today=TODAY
    )

    assert problems == {"expires_on": "The acceptance must expire after today."}


def test_accepting_with_an_expiry_of_tomorrow_is_allowed():
    problems = transition_problems(
        "open", "accepted", approver_id=7, expires_on=TOMORROW, today=TODAY
    )

    assert problems == {}


def test_accepting_needs_no_reason():
    problems = transition_problems(
        "open", "accepted", reason="", approver_id=7, expires_on=TOMORROW, today=TODAY
    )

    assert problems == {}


# acceptance_expired


def test_acceptance_expires_on_the_expiry_date():
    assert acceptance_expired("accepted", TODAY, today=TODAY) is True


def test_acceptance_is_expired_after_the_expiry_date():
    assert acceptance_expired("accepted", YESTERDAY, today=TODAY) is True


def test_acceptance_is_not_expired_the_day_before():
    assert acceptance_expired("accepted", TOMORROW, today=TODAY) is False


def test_acceptance_without_an_expiry_date_is_not_expired():
    assert acceptance_expired("accepted", None, today=TODAY) is False


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "accepted"])
def test_only_accepted_risks_expire(status):
    assert acceptance_expired(status, YESTERDAY, today=TODAY) is False
