"""The scoring settings in force, read from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app

from tracker.domain import budget, scoring


@dataclass(frozen=True)
class ScoringSettings:
    band_floors: Mapping[str, int]
    review_cadence_days: Mapping[str, int]
    likelihood_levels: Sequence[scoring.Level]
    impact_levels: Sequence[scoring.Level]
    slo: float
    too_big_share: float

    def band(self, score: int) -> str:
        return scoring.band(score, self.band_floors)

    def band_or_none(self, score: int | None) -> str | None:
        """The band of a score that may be missing (a residual not assessed)."""
        return None if score is None else self.band(score)

    def band_range(self, band_name: str) -> tuple[int, int]:
        return scoring.band_range(band_name, self.band_floors)

    def budget_share(self, bad_minutes: float | None) -> float | None:
        return None if bad_minutes is None else budget.budget_share(bad_minutes, self.slo)

    def too_big_to_accept(self, bad_minutes: float | None) -> bool:
        share = self.budget_share(bad_minutes)
        return share is not None and share > self.too_big_share

    @property
    def error_budget_minutes(self) -> float:
        return budget.error_budget_minutes(self.slo)


def _levels(configured, defaults: Sequence[scoring.Level]) -> tuple[scoring.Level, ...]:
    if configured is None:
        return tuple(defaults)
    return tuple(
        scoring.Level(value, label, definition)
        for value, (label, definition) in enumerate(configured, start=1)
    )


def current() -> ScoringSettings:
    """The settings of the running app."""
    config = current_app.config
    return ScoringSettings(
        band_floors=config["RISK_BAND_FLOORS"],
        review_cadence_days=config["REVIEW_CADENCE_DAYS"],
        likelihood_levels=_levels(config["LIKELIHOOD_LEVELS"], scoring.DEFAULT_LIKELIHOOD_LEVELS),
        impact_levels=_levels(config["IMPACT_LEVELS"], scoring.DEFAULT_IMPACT_LEVELS),
        slo=config["SLO_TARGET"],
        too_big_share=config["TOO_BIG_TO_ACCEPT_SHARE"],
    )
