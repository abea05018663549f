"""The priority rule of the dashboard: one transparent ordering of open risks.

Band and score first (how bad), then expected bad minutes a year (how much of the error budget),
then overdue mitigations (how late the work is), then how long the review is overdue. Each
ranked risk carries the factors that placed it, so the dashboard can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.words import plural

BAND_ORDER = {"critical": 4, "high": 3, "medium": 2, "low": 1}


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
    """Smaller sorts first. Unquantified risks come after quantified ones of the same score."""
    return (
        -BAND_ORDER[risk.band],
        -risk.score,
        -(risk.bad_minutes if risk.bad_minutes is not None else -1.0),
        -risk.overdue_mitigations,
        -review_overdue_days(risk.next_review, today),
        risk.number,
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
