"""Validation of a risk's editable fields, shared by the forms, the CSV import and the API.

Values may arrive typed (from a form or JSON) or as text (from a spreadsheet cell); each parser
accepts both and says exactly what to fix when it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.domain import budget, lifecycle, scoring
from tracker.extensions import db
from tracker.models import Category, Team, User
from tracker.risks.settings import ScoringSettings

TITLE_MAX = 200
SERVICE_MAX = 120
DESCRIPTION_MAX = 20_000
TAG_MAX = 64
TAG_PATTERN = re.compile(r"^[\w][\w.:/+-]*$")

INHERENT_FIELDS = ("likelihood", "impact")
RESIDUAL_FIELDS = ("residual_likelihood", "residual_impact")
SCALE_FIELDS = (*INHERENT_FIELDS, *RESIDUAL_FIELDS)
QUANTIFICATION_FIELDS = ("ettd_minutes", "ettr_minutes", "users_impacted", "ettf_days")
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "service",
    "team",
    "owner",
    *SCALE_FIELDS,
    "treatment",
    "next_review",
    "tags",
    *QUANTIFICATION_FIELDS,
    "residual_bad_minutes_per_year",
)
MINUTES_PER_YEAR = 525_960  # 365.25 days: no risk can cost more bad minutes than a year has


class FieldError(ValueError):
    """A value that cannot be used; the message says what to enter instead."""


@dataclass(frozen=True)
class Lookups:
    """Teams, users and categories by their public names, loaded once for many rows."""

    teams: Mapping[str, Team]
    users: Mapping[str, User]
    categories: Mapping[str, Category]

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            teams={team.slug: team for team in db.session.scalars(sa.select(Team))},
            users={user.email: user for user in db.session.scalars(sa.select(User))},
            categories={
                category.slug: category
                for category in db.session.scalars(
                    sa.select(Category).order_by(Category.position, Category.name)
                )
            },
        )


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _blank(value) -> bool:
    return _text(value) == "" if not isinstance(value, list) else not value


def parse_title(value) -> str:
    text = _text(value)
    if not text:
        raise FieldError("Enter a title.")
    if len(text) > TITLE_MAX:
        raise FieldError(f"Use at most {TITLE_MAX} characters for the title (got {len(text)}).")
    return text


def parse_description(value) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > DESCRIPTION_MAX:
        raise FieldError(f"Use at most {DESCRIPTION_MAX} characters for the description.")
    return text


def parse_service(value) -> str:
    text = _text(value)
    if len(text) > SERVICE_MAX:
        raise FieldError(f"Use at most {SERVICE_MAX} characters for the service.")
    return text


def parse_level(value, levels, name: str) -> int:
    if isinstance(value, bool):
        raise FieldError(f"Give the {name} as 1 to 5.")
    if isinstance(value, int):
        if value in scoring.SCALE:
            return value
        raise FieldError(f"The {name} must be 1 to 5 (got {value}).")
    text = _text(value)
    if not text:
        raise FieldError(f"Give the {name} (1 to 5).")
    level = scoring.level_for(levels, text)
    if level is None:
        labels = ", ".join(level.label for level in levels)
        raise FieldError(f"The {name} must be 1 to 5 or one of {labels} (got {text!r}).")
    return level


def parse_residual_level(value, levels, name: str) -> int | None:
    """A residual level, or None for "not assessed" (an empty value)."""
    return None if _blank(value) else parse_level(value, levels, name)


def parse_number(value, name: str) -> float:
    if isinstance(value, bool):
        raise FieldError(f"Give the {name} as a number.")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value).replace(" ", "")
        # Spreadsheets from comma-decimal locales write 0,02; but 1,440 may be a thousands
        # separator, and guessing wrong is a 1000× error.
        if "," in text and "." not in text and text.count(",") == 1:
            if re.fullmatch(r"-?[1-9]\d{0,2},\d{3}", text):
                raise FieldError(
                    f"Write the {name} without a thousands separator: {text.replace(',', '')} "
                    f"or {text.replace(',', '.')} (got {text!r})."
                )
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise FieldError(f"Give the {name} as a number (got {text!r}).") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FieldError(f"Give the {name} as a finite number.")
    return number


def parse_share(value) -> float:
    """A share of users: 0.02, or 2% as a percentage."""
    text = _text(value)
    if isinstance(value, str) and text.endswith("%"):
        share = parse_number(text[:-1], "share of users impacted") / 100
    else:
        share = parse_number(value, "share of users impacted")
    if not 0 <= share <= 1:
        raise FieldError(f"The share of users impacted must lie between 0 and 1 (got {text}).")
    return share


def parse_date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    text = _text(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"Give the {name} as a date YYYY-MM-DD (got {text!r}).") from None


def parse_tags(value) -> list[str]:
    words = value if isinstance(value, list) else _text(value).split(",")
    tags = []
    for word in (_text(w).lower() for w in words):
        if not word:
            continue
        if len(word) > TAG_MAX:
            raise FieldError(f"Use at most {TAG_MAX} characters per tag ({word[:20]}…).")
        if not TAG_PATTERN.match(word):
            raise FieldError(
                f"Tags are single words of letters, digits and . : / + - _ (got {word!r}); "
                "separate tags with commas."
            )
        if word not in tags:
            tags.append(word)
    return sorted(tags)


def parse_choice(value, choices: tuple[str, ...], name: str) -> str:
    text = _text(value).lower()
    if text not in choices:
        raise FieldError(f"The {name} must be one of {', '.join(choices)} (got {text!r}).")
    return text


def _lookup(mapping: Mapping, key: str, what: str, hint: str) -> object:
    if key not in mapping:
        raise FieldError(f"No {what} {key!r}. {hint}")
    return mapping[key]


def clean_risk_values(
    raw: Mapping[str, object],
    lookups: Lookups,
    settings: ScoringSettings,
    *,
    creating: bool,
) -> dict[str, object]:
    """Validate the editable fields in `raw`; return them ready for the model.

    When creating, missing fields take their defaults (residual not assessed; treatment
    mitigate; no owner; next review from the cadence, filled in by the service). When updating,
    only the fields present are cleaned. An empty residual level means "not assessed"; the two
    residual levels are assessed together or not at all. Raises ValidationError with a message
    per bad field.
    """
    from tracker.validation import ValidationError

    category_slugs = ", ".join(lookups.categories)
    parsers: dict[str, Callable[[object], object]] = {
        "title": parse_title,
        "description": parse_description,
        "service": parse_service,
        "category": lambda v: _lookup(
            lookups.categories, _text(v).lower(), "category", f"Use one of {category_slugs}."
        ),
        "team": lambda v: _lookup(
            lookups.teams, _text(v).lower(), "team has the slug", "Give a team's slug."
        ),
        "owner": lambda v: (
            None
            if _blank(v)
            else _lookup(
                lookups.users, _text(v).lower(), "user has the email", "Give a user's email."
            )
        ),
        "likelihood": lambda v: parse_level(v, settings.likelihood_levels, "likelihood"),
        "impact": lambda v: parse_level(v, settings.impact_levels, "impact"),
        "residual_likelihood": lambda v: parse_residual_level(
            v, settings.likelihood_levels, "residual likelihood"
        ),
        "residual_impact": lambda v: parse_residual_level(
            v, settings.impact_levels, "residual impact"
        ),
        "treatment": lambda v: parse_choice(v, lifecycle.TREATMENTS, "treatment"),
        "next_review": lambda v: None if _blank(v) else parse_date(v, "next review date"),
        "tags": parse_tags,
        "ettd_minutes": lambda v: _non_negative(v, "ETTD (minutes to detect)"),
        "ettr_minutes": lambda v: _non_negative(v, "ETTR (minutes to repair)"),
        "users_impacted": parse_share,
        "ettf_days": _ettf,
        "residual_bad_minutes_per_year": _residual_minutes,
    }
    defaults = {
        "description": "",
        "service": "",
        "owner": None,
        "treatment": "mitigate",
        "next_review": None,
        "tags": [],
        "residual_likelihood": None,
        "residual_impact": None,
        "residual_bad_minutes_per_year": None,
    }
    present = {name: raw[name] for name in EDITABLE_FIELDS if name in raw}
    if creating:
        for name, value in defaults.items():
            if _blank(present.get(name)):
                present[name] = value

    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    quantification = {name: present.pop(name) for name in QUANTIFICATION_FIELDS if name in present}
    for name, value in present.items():
        if value is None and name in defaults:
            clean[name] = defaults[name]
            continue
        try:
            clean[name] = parsers[name](value)
        except FieldError as exc:
            errors[name] = str(exc)
    errors.update(_residual_pair_problems(clean))
    if creating:
        for name in ("title", "category", "team", "likelihood", "impact"):
            if name not in present and name not in errors:
                errors[name] = f"Give the {name.replace('_', ' ')}."
    errors.update(_clean_quantification(quantification, parsers, clean, creating=creating))
    if errors:
        raise ValidationError(errors)
    return clean


def _residual_pair_problems(clean: Mapping[str, object]) -> dict[str, str]:
    """A residual score needs both levels: one given without the other is an error."""
    if not all(name in clean for name in RESIDUAL_FIELDS):
        return {}
    missing = [name for name in RESIDUAL_FIELDS if clean[name] is None]
    if len(missing) != 1:
        return {}
    given = next(name for name in RESIDUAL_FIELDS if name not in missing)
    return {
        missing[0]: f"Give the {missing[0].replace('_', ' ')} too, or leave both residual "
        f"levels not assessed (the {given.replace('_', ' ')} is set)."
    }


def _non_negative(value, name: str) -> float:
    """Minutes to detect or repair: 0 up to a year's worth."""
    number = parse_number(value, name)
    if number < 0:
        raise FieldError(f"The {name} cannot be negative.")
    if number > budget.MAX_MINUTES:
        raise FieldError(f"The {name} can be at most {budget.MAX_MINUTES:,.0f} (a year).")
    return number


def _residual_minutes(value) -> float | None:
    """The owner's estimate of bad minutes a year once mitigated; blank when not estimated."""
    if _blank(value):
        return None
    number = _non_negative(value, "residual bad minutes a year")
    if number > MINUTES_PER_YEAR:
        raise FieldError(
            f"The residual bad minutes a year cannot exceed the {MINUTES_PER_YEAR:,} minutes "
            "a year has."
        )
    return number


def _ettf(value) -> float:
    """Days between failures: from a minute to a century."""
    number = parse_number(value, "ETTF (days between failures)")
    if number <= 0:
        raise FieldError("The ETTF (days between failures) must be more than 0.")
    if not budget.MIN_ETTF_DAYS <= number <= budget.MAX_ETTF_DAYS:
        raise FieldError(
            "The ETTF (days between failures) must lie between 1/1440 (a minute) and "
            f"{budget.MAX_ETTF_DAYS:,.0f} (a century)."
        )
    return number


def _clean_quantification(given: dict, parsers, clean: dict, *, creating: bool) -> dict[str, str]:
    """All four numbers or none: a partial set cannot give bad minutes."""
    if not given and not creating:
        return {}
    filled = {name: value for name, value in given.items() if not _blank(value)}
    if not filled:
        clean.update(dict.fromkeys(QUANTIFICATION_FIELDS))
        return {}
    errors = {}
    for name in QUANTIFICATION_FIELDS:
        if name not in filled:
            errors[name] = "Give all four of ETTD, ETTR, users impacted and ETTF, or none."
            continue
        try:
            clean[name] = parsers[name](filled[name])
        except FieldError as exc:
            errors[name] = str(exc)
    return errors
