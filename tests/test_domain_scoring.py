"""Unit tests for tracker.domain.scoring: scores, bands, levels and review cadence.

Also checks that the domain package is pure: importing it loads no Flask. No app, no DB.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from itertools import product
from pathlib import Path

import pytest

from tracker.domain.scoring import (
    BANDS,
    DEFAULT_BAND_FLOORS,
    DEFAULT_IMPACT_LEVELS,
    DEFAULT_LIKELIHOOD_LEVELS,
    DEFAULT_REVIEW_CADENCE_DAYS,
    band,
    band_range,
    level_for,
    next_review,
    score,
    validate_band_floors,
)

CUSTOM_FLOORS = {"low": 1, "medium": 3, "high": 8, "critical": 20}
TRACKER_DIR = Path(__file__).resolve().parent.parent / "tracker"
DOMAIN_MODULES = ("tracker.domain.scoring", "tracker.domain.budget", "tracker.domain.lifecycle")


# score


@pytest.mark.parametrize(("likelihood", "impact"), list(product(range(1, 6), repeat=2)))
def test_score_is_likelihood_times_impact(likelihood, impact):
    assert score(likelihood, impact) == likelihood * impact


@pytest.mark.parametrize("value", [0, 6, -1])
def test_likelihood_outside_one_to_five_raises(value):
    with pytest.raises(ValueError, match="likelihood must be 1 to 5"):
        score(value, 3)


@pytest.mark.parametrize("value", [0, 6, -1])
def test_impact_outside_one_to_five_raises(value):
    with pytest.raises(ValueError, match="impact must be 1 to 5"):
        score(3, value)


def test_fractional_level_raises():
    with pytest.raises(ValueError):
        score(2.5, 3)


# band with the default floors


@pytest.mark.parametrize(
    ("score_value", "expected"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (14, "high"),
        (15, "critical"),
        (25, "critical"),
    ],
)
def test_default_band_edges(score_value, expected):
    assert band(score_value) == expected


@pytest.mark.parametrize("score_value", [0, 26, -1])
def test_band_of_a_score_outside_one_to_25_raises(score_value):
    with pytest.raises(ValueError, match="score must be 1 to 25"):
        band(score_value)


def test_every_reachable_score_falls_in_exactly_one_band():
    for likelihood, impact in product(range(1, 6), repeat=2):
        value = score(likelihood, impact)
        containing = [name for name in BANDS if band_range(name)[0] <= value <= band_range(name)[1]]
        assert containing == [band(value)], (likelihood, impact, value)


def test_default_bands_cover_one_to_25_without_gaps_or_overlaps():
    covered = [s for name in BANDS for s in range(band_range(name)[0], band_range(name)[1] + 1)]

    assert covered == list(range(1, 26))


# band with custom floors


@pytest.mark.parametrize(
    ("score_value", "expected"),
    [
        (1, "low"),
        (2, "low"),
        (3, "medium"),
        (7, "medium"),
        (8, "high"),
        (19, "high"),
        (20, "critical"),
        (25, "critical"),
    ],
)
def test_custom_band_edges(score_value, expected):
    assert band(score_value, CUSTOM_FLOORS) == expected


def test_custom_floors_with_critical_at_25_leave_only_25_critical():
    floors = {"low": 1, "medium": 5, "high": 10, "critical": 25}

    assert band(24, floors) == "high"
    assert band(25, floors) == "critical"


# band_range


@pytest.mark.parametrize(
    ("name", "expected"),
    [("low", (1, 4)), ("medium", (5, 9)), ("high", (10, 14)), ("critical", (15, 25))],
)
def test_default_band_range(name, expected):
    assert band_range(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("low", (1, 2)), ("medium", (3, 7)), ("high", (8, 19)), ("critical", (20, 25))],
)
def test_custom_band_range(name, expected):
    assert band_range(name, CUSTOM_FLOORS) == expected


def test_band_range_of_an_unknown_band_raises():
    with pytest.raises(ValueError):
        band_range("severe")


# validate_band_floors


def test_default_floors_are_valid():
    assert validate_band_floors(DEFAULT_BAND_FLOORS) is None


@pytest.mark.parametrize(
    "floors",
    [CUSTOM_FLOORS, {"low": 1, "medium": 2, "high": 3, "critical": 4}, {**DEFAULT_BAND_FLOORS}],
)
def test_custom_strictly_increasing_floors_are_valid(floors):
    validate_band_floors(floors)


def test_critical_floor_of_25_is_valid():
    validate_band_floors({"low": 1, "medium": 5, "high": 10, "critical": 25})


@pytest.mark.parametrize(
    "floors",
    [
        {"low": 1, "medium": 5, "high": 5, "critical": 15},
        {"low": 1, "medium": 10, "high": 5, "critical": 15},
        {"low": 1, "medium": 1, "high": 10, "critical": 15},
        {"low": 1, "medium": 5, "high": 15, "critical": 10},
    ],
    ids=["equal", "decreasing", "medium-equals-low", "critical-below-high"],
)
def test_non_increasing_floors_are_rejected(floors):
    with pytest.raises(ValueError, match="strictly increase"):
        validate_band_floors(floors)


@pytest.mark.parametrize("missing", BANDS)
def test_floors_missing_a_band_are_rejected(missing):
    floors = {name: value for name, value in DEFAULT_BAND_FLOORS.items() if name != missing}

    with pytest.raises(ValueError, match="must name low, medium, high and critical"):
        validate_band_floors(floors)


@pytest.mark.parametrize("low", [0, 2])
def test_floors_with_low_not_starting_at_one_are_rejected(low):
    with pytest.raises(ValueError, match="low starting at 1"):
        validate_band_floors({**DEFAULT_BAND_FLOORS, "low": low})


@pytest.mark.parametrize(
    "floors",
    [
        {"low": 1, "medium": 5, "high": 10, "critical": 26},
        {"low": 1, "medium": 5, "high": 26, "critical": 30},
    ],
)
def test_floors_over_25_are_rejected(floors):
    with pytest.raises(ValueError, match="within 1 to 25"):
        validate_band_floors(floors)


# next_review


@pytest.mark.parametrize(
    ("band_name", "days"), [("critical", 7), ("high", 14), ("medium", 30), ("low", 90)]
)
def test_default_review_cadence(band_name, days):
    assert DEFAULT_REVIEW_CADENCE_DAYS[band_name] == days


@pytest.mark.parametrize(
    ("band_name", "reviewed_on", "due"),
    [
        ("critical", date(2026, 3, 2), date(2026, 3, 9)),
        ("high", date(2026, 3, 2), date(2026, 3, 16)),
        ("medium", date(2026, 3, 2), date(2026, 4, 1)),
        ("low", date(2026, 3, 2), date(2026, 5, 31)),
    ],
)
def test_next_review_adds_the_band_cadence(band_name, reviewed_on, due):
    assert next_review(band_name, reviewed_on) == due


@pytest.mark.parametrize(
    ("band_name", "reviewed_on", "due"),
    [
        ("high", date(2026, 1, 25), date(2026, 2, 8)),
        ("medium", date(2026, 4, 15), date(2026, 5, 15)),
    ],
)
def test_next_review_crosses_a_month_end(band_name, reviewed_on, due):
    assert next_review(band_name, reviewed_on) == due


@pytest.mark.parametrize(
    ("band_name", "reviewed_on", "due"),
    [
        ("critical", date(2026, 12, 28), date(2027, 1, 4)),
        ("low", date(2026, 11, 1), date(2027, 1, 30)),
    ],
)
def test_next_review_crosses_a_year_end(band_name, reviewed_on, due):
    assert next_review(band_name, reviewed_on) == due


def test_next_review_can_fall_on_a_leap_day():
    assert next_review("critical", date(2028, 2, 22)) == date(2028, 2, 29)


def test_next_review_counts_the_leap_day():
    assert next_review("medium", date(2028, 2, 15)) == date(2028, 3, 16)


def test_next_review_from_a_leap_day():
    assert next_review("low", date(2028, 2, 29)) == date(2028, 5, 29)


def test_next_review_with_a_custom_cadence():
    cadence = {"critical": 1, "high": 3, "medium": 10, "low": 365}

    assert next_review("critical", date(2026, 12, 31), cadence) == date(2027, 1, 1)
    assert next_review("low", date(2028, 2, 29), cadence) == date(2029, 2, 28)


# level_for and the default scales


@pytest.mark.parametrize("levels", [DEFAULT_LIKELIHOOD_LEVELS, DEFAULT_IMPACT_LEVELS])
def test_default_scales_run_one_to_five_with_labels_and_definitions(levels):
    assert [level.value for level in levels] == [1, 2, 3, 4, 5]
    assert len({level.label.lower() for level in levels}) == 5
    assert all(level.definition.strip() for level in levels)


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_level_for_a_number(value):
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, str(value)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rare", 1),
        ("unlikely", 2),
        ("POSSIBLE", 3),
        ("lIkElY", 4),
        ("almost certain", 5),
        ("Almost Certain", 5),
    ],
)
def test_level_for_a_likelihood_label_in_any_case(text, expected):
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("negligible", 1), ("Minor", 2), ("MODERATE", 3), ("major", 4), ("SeVeRe", 5)],
)
def test_level_for_an_impact_label_in_any_case(text, expected):
    assert level_for(DEFAULT_IMPACT_LEVELS, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("  Likely  ", 4), ("\tRare\n", 1), (" 3 ", 3), ("5\n", 5)]
)
def test_level_for_ignores_surrounding_spaces(text, expected):
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, text) == expected


@pytest.mark.parametrize("text", ["0", "6", "10", "-1", "3.0", "", "   ", "often", "Severe"])
def test_level_for_unknown_text_is_none(text):
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, text) is None


def test_level_for_uses_the_given_scale():
    assert level_for(DEFAULT_IMPACT_LEVELS, "severe") == 5
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, "severe") is None


@pytest.mark.parametrize("text", ["²", "³", "①"])
def test_level_for_digit_like_text_int_cannot_parse_is_none(text):
    assert level_for(DEFAULT_LIKELIHOOD_LEVELS, text) is None


# Purity: the domain modules import no Flask


def import_in_fresh_python(*modules: str) -> subprocess.CompletedProcess:
    """Import `modules` in a new interpreter and report which flask modules got loaded.

    tracker/__init__.py is the Flask app factory, so the subprocess stands in an empty
    `tracker` package over the real directory: only the domain modules' own imports run.
    """
    code = "\n".join(
        [
            "import importlib, sys, types",
            "package = types.ModuleType('tracker')",
            f"package.__path__ = [{str(TRACKER_DIR)!r}]",
            "sys.modules['tracker'] = package",
            f"for name in {list(modules)!r}:",
            "    importlib.import_module(name)",
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.')))",
            "assert 'flask' not in sys.modules",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_domain_modules_import_no_flask():
    result = import_in_fresh_python("tracker.domain", *DOMAIN_MODULES)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"


def test_flask_import_check_catches_a_module_that_imports_flask():
    result = import_in_fresh_python("tracker.extensions")

    assert result.returncode != 0
    assert "'flask'" in result.stdout


@pytest.mark.parametrize("value", [True, 3.0, "3"])
def test_score_takes_only_whole_numbers(value):
    with pytest.raises(ValueError, match="must be 1 to 5"):
        score(value, 2)
