"""The priority rule: one transparent ordering of the risks in treatment (open, mitigating).

The rule, in order — each step breaks the ties of the one before:

1. score, highest first (the band follows from the score, so it orders the same way);
2. expected bad minutes a year, most first; unquantified risks after quantified ones;
3. overdue mitigations, most first;
4. days the review is overdue, most first (a review not yet due counts 0 days, so among risks
   whose reviews are not overdue the date of the next review does not matter);
5. the key's number, oldest risk first.

sort_key() is the rule in Python; order_sql() is the same rule as an ORDER BY for the dashboard,
the digest, the register's priority sort and the weekly review. tests/test_domain_sql.py checks
that they agree on generated registers. Each ranked risk carries the factors that placed it,
so the dashboard can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tracker.domain.words import plural


@dataclass(frozen=True)
class RankInput:
    number: int
    key: str
    band: str
    score: int
    bad_minutes: float | None
    overdue_mitigations: int
    next_review: date


def review_overdue_days(next_review: date, today: date) -> int:
    return max(0, (today - next_review).days)


def sort_key(risk: RankInput, today: date) -> tuple:
    """The rule of the module docstring as a sort key: smaller sorts first."""
    return (
        -risk.score,
        -(risk.bad_minutes if risk.bad_minutes is not None else -1.0),
        -risk.overdue_mitigations,
        -review_overdue_days(risk.next_review, today),
        risk.number,
    )


def order_sql(
    score: ColumnElement[int],
    bad_minutes: ColumnElement[float],
    overdue_mitigations: ColumnElement[int],
    next_review: ColumnElement[date],
    number: ColumnElement[int],
    today: date,
) -> tuple:
    """The rule of the module docstring as ORDER BY clauses over these columns.

    "Days overdue, most first" is "the earlier of the next review and today, earliest first":
    an overdue review sorts by its date, every other one as today — the same order with no
    date arithmetic, which SQLite and PostgreSQL write differently.
    """
    review_due = sa.case((next_review < today, next_review), else_=sa.literal(today, sa.Date))
    return (
        score.desc(),
        bad_minutes.desc().nulls_last(),
        overdue_mitigations.desc(),
        review_due.asc(),
        number.asc(),
    )


def rank(risks: list[RankInput], today: date) -> list[RankInput]:
    """The risks in priority order."""
    return sorted(risks, key=lambda risk: sort_key(risk, today))


def factors(risk: RankInput, today: date, budget_share: float | None) -> list[str]:
    """Why the risk ranks where it does, in the rule's order, for people to read."""
    reasons = [f"{risk.band} band, score {risk.score}"]
    if risk.bad_minutes is not None:
        share = f" ({budget_share:.0%} of the error budget)" if budget_share is not None else ""
        reasons.append(f"{risk.bad_minutes:,.0f} bad min/yr{share}")
    else:
        reasons.append("not quantified")
    if risk.overdue_mitigations:
        reasons.append(plural(risk.overdue_mitigations, "overdue mitigation"))
    overdue_days = review_overdue_days(risk.next_review, today)
    if overdue_days:
        reasons.append(f"review {plural(overdue_days, 'day')} overdue")
    return reasons
