"""Unit tests for tracker.domain.budget: error budgets and bad minutes a year (no app, no DB)."""

from __future__ import annotations

import pytest

from tracker.domain.budget import (
    DAYS_PER_YEAR,
    DEFAULT_SLO,
    DEFAULT_TOO_BIG_SHARE,
    Quantification,
    bad_minutes_per_year,
    budget_share,
    error_budget_minutes,
    incidents_per_year,
    quantify,
)

# Google SRE's published risk example: a failure every 90 days, detected after a day,
# repaired in 30 minutes, hitting 2% of users.
SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF = 1440, 30, 0.02, 90
SRE_BAD_MINUTES = (1440 + 30) * 0.02 * 365.25 / 90


def budget_fraction_of(share: float, slo: float = DEFAULT_SLO) -> float:
    """ETTD minutes that, with ETTR 0, all users and one failure a year, burn `share`."""
    return share * error_budget_minutes(slo)


# error_budget_minutes


def test_default_slo_budget_is_1051_92_minutes():
    assert error_budget_minutes() == pytest.approx(1051.92, abs=0.005)


def test_default_slo_is_99_8_percent():
    assert error_budget_minutes() == error_budget_minutes(0.998)


@pytest.mark.parametrize(
    ("slo", "minutes"),
    [
        (0.99, 5259.6),
        (0.995, 2629.8),
        (0.998, 1051.92),
        (0.999, 525.96),
        (0.9995, 262.98),
        (0.9999, 52.596),
    ],
)
def test_budget_is_one_minus_slo_times_minutes_in_a_year(slo, minutes):
    assert error_budget_minutes(slo) == pytest.approx(minutes, abs=0.005)
    assert error_budget_minutes(slo) == pytest.approx((1 - slo) * 1440 * 365.25)


@pytest.mark.parametrize("slo", [0, 1, 1.5, -0.5])
def test_slo_outside_zero_to_one_exclusive_raises(slo):
    with pytest.raises(ValueError, match="SLO"):
        error_budget_minutes(slo)


# incidents_per_year


def test_ettf_of_a_year_is_one_incident_a_year():
    assert incidents_per_year(DAYS_PER_YEAR) == 1.0


def test_ettf_of_90_days_is_about_four_incidents_a_year():
    assert incidents_per_year(90) == pytest.approx(365.25 / 90)


def test_ettf_under_a_day_gives_more_incidents_than_days():
    assert incidents_per_year(0.5) == pytest.approx(730.5)


@pytest.mark.parametrize("ettf_days", [0, -1, -0.001])
def test_ettf_of_zero_or_less_raises(ettf_days):
    with pytest.raises(ValueError, match="ETTF"):
        incidents_per_year(ettf_days)


# bad_minutes_per_year


def test_google_sre_example_is_about_119_bad_minutes_a_year():
    assert round(bad_minutes_per_year(SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF)) == 119


def test_google_sre_example_exact_value():
    assert bad_minutes_per_year(SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF) == pytest.approx(
        SRE_BAD_MINUTES
    )


def test_no_users_impacted_means_no_bad_minutes():
    assert bad_minutes_per_year(1440, 30, 0, 90) == 0


def test_all_users_impacted_counts_every_minute_of_every_incident():
    assert bad_minutes_per_year(10, 20, 1, DAYS_PER_YEAR) == pytest.approx(30)


def test_instant_detection_and_repair_means_no_bad_minutes():
    assert bad_minutes_per_year(0, 0, 0.5, 30) == 0


@pytest.mark.parametrize("ettf_days", [0, -90])
def test_bad_minutes_with_ettf_of_zero_or_less_raises(ettf_days):
    with pytest.raises(ValueError, match="ETTF"):
        bad_minutes_per_year(1440, 30, 0.02, ettf_days)


@pytest.mark.parametrize(("ettd", "ettr"), [(-1, 30), (1440, -1), (-0.5, -0.5)])
def test_negative_ettd_or_ettr_raises(ettd, ettr):
    with pytest.raises(ValueError, match="ETTD and ETTR"):
        bad_minutes_per_year(ettd, ettr, 0.02, 90)


@pytest.mark.parametrize("users", [-0.01, 1.01, 2, -1])
def test_share_of_users_outside_zero_to_one_raises(users):
    with pytest.raises(ValueError, match="share of users"):
        bad_minutes_per_year(1440, 30, users, 90)


# budget_share


def test_budget_share_of_the_sre_example_against_99_8_percent():
    assert budget_share(SRE_BAD_MINUTES) == pytest.approx(SRE_BAD_MINUTES / 1051.92, rel=1e-5)


def test_budget_share_of_the_whole_budget_is_one():
    assert budget_share(error_budget_minutes()) == 1.0


def test_budget_share_of_no_bad_minutes_is_zero():
    assert budget_share(0) == 0


def test_budget_share_can_exceed_the_whole_budget():
    assert budget_share(2 * error_budget_minutes()) == 2.0


def test_budget_share_is_measured_against_the_given_slo():
    assert budget_share(525.96, slo=0.999) == pytest.approx(1.0)


@pytest.mark.parametrize("slo", [0, 1, 1.5])
def test_budget_share_with_an_invalid_slo_raises(slo):
    with pytest.raises(ValueError, match="SLO"):
        budget_share(100, slo=slo)


# quantify


def test_quantify_returns_every_number_for_the_sre_example():
    result = quantify(SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF)

    assert result == Quantification(
        incidents_per_year=pytest.approx(365.25 / 90),
        bad_minutes_per_year=pytest.approx(SRE_BAD_MINUTES),
        budget_share=pytest.approx(SRE_BAD_MINUTES / error_budget_minutes()),
        too_big_to_accept=False,
    )


def test_quantify_uses_the_given_slo():
    at_99_9 = quantify(SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF, slo=0.999)

    assert at_99_9.budget_share == pytest.approx(SRE_BAD_MINUTES / 525.96, rel=1e-5)


def test_default_too_big_threshold_is_a_quarter_of_the_budget():
    assert DEFAULT_TOO_BIG_SHARE == 0.25


def test_share_just_under_a_quarter_is_not_too_big():
    result = quantify(budget_fraction_of(0.25) - 0.01, 0, 1, DAYS_PER_YEAR)

    assert result.budget_share < 0.25
    assert result.too_big_to_accept is False


def test_share_of_exactly_a_quarter_is_not_too_big():
    result = quantify(budget_fraction_of(0.25), 0, 1, DAYS_PER_YEAR)

    assert result.budget_share == 0.25
    assert result.too_big_to_accept is False


def test_share_just_over_a_quarter_is_too_big():
    result = quantify(budget_fraction_of(0.25) + 0.01, 0, 1, DAYS_PER_YEAR)

    assert result.budget_share > 0.25
    assert result.too_big_to_accept is True


@pytest.mark.parametrize(
    ("share", "too_big"),
    [(0.09, False), (0.1, False), (0.11, True)],
)
def test_custom_too_big_threshold_is_strictly_greater_than(share, too_big):
    result = quantify(budget_fraction_of(share), 0, 1, DAYS_PER_YEAR, too_big_share=0.1)

    assert result.too_big_to_accept is too_big


def test_custom_threshold_accepts_what_the_default_would_refuse():
    ettd = budget_fraction_of(0.4)

    assert quantify(ettd, 0, 1, DAYS_PER_YEAR).too_big_to_accept is True
    assert quantify(ettd, 0, 1, DAYS_PER_YEAR, too_big_share=0.5).too_big_to_accept is False


@pytest.mark.parametrize(
    ("ettd", "ettr", "users", "ettf"),
    [(1440, 30, 0.02, 0), (1440, 30, 0.02, -1), (-1, 30, 0.02, 90), (1440, 30, 1.5, 90)],
)
def test_quantify_with_bad_input_raises(ettd, ettr, users, ettf):
    with pytest.raises(ValueError):
        quantify(ettd, ettr, users, ettf)


@pytest.mark.parametrize("slo", [0, 1, 1.5])
def test_quantify_with_an_invalid_slo_raises(slo):
    with pytest.raises(ValueError, match="SLO"):
        quantify(SRE_ETTD, SRE_ETTR, SRE_USERS, SRE_ETTF, slo=slo)
