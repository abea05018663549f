"""Planning one row of a risk import: which risk it means, and what it would change.

RowPlanner loads the register, the lookups and the settings once per file; csv_import
drives it row by row and writes the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.accounts import rules as account_rules
from tracker.domain import lifecycle, scoring
from tracker.extensions import db
from tracker.imports import created_changes
from tracker.models import Risk, Team, User
from tracker.risks import permissions
from tracker.risks import settings as scoring_settings
from tracker.risks.fields import EDITABLE_FIELDS, Lookups, clean_risk_values
from tracker.risks.keys import format_key, parse_key
from tracker.spreadsheets import ImportProblem, Row, display
from tracker.validation import ValidationError


@dataclass(frozen=True)
class PlannedRow:
    """What one row does; `changes` lists (field, old, new) as displayed: for an update what
    it changes, for a create what the new risk will hold (old None)."""

    line: int
    action: str  # "create", "update" or "unchanged"
    key: str  # RISK-n, or "new" for a risk numbered when the import is applied
    title: str
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # For apply_import: the risk to update and the version planned against; and the cleaned
    # values to set.
    risk: Risk | None = field(default=None, repr=False)
    version: int | None = None
    values: dict[str, object] = field(default_factory=dict, repr=False)


def _title_key(title: str) -> str:
    return title.strip().casefold()


def current_value(risk: Risk, name: str) -> object:
    """The risk's value of an editable field (or status), as cleaned values compare to it."""
    return risk.tag_names if name == "tags" else getattr(risk, name)


class RowPlanner:
    """Plans rows against the register as it is, loaded once for the whole file."""

    def __init__(self, headers: dict[str, str], actor: User | None, *, create_teams=False):
        self.headers = headers
        self.actor = actor
        self.lookups = Lookups.load()
        if create_teams:
            self.lookups = replace(self.lookups, teams=TeamsMadeOnDemand(self.lookups.teams))
        self.settings = scoring_settings.current()
        risks = db.session.scalars(sa.select(Risk).options(selectinload(Risk.tags))).all()
        self.by_number = {risk.number: risk for risk in risks}
        self.by_title: dict[str, list[Risk]] = defaultdict(list)
        for risk in risks:
            if risk.archived_at is None:
                self.by_title[_title_key(risk.title)].append(risk)
        # The line of the first row for each risk (its number) or new title.
        self.claimed: dict[int | str, int] = {}

    def new_teams(self) -> list[Team]:
        """The teams the file names that the import would create (with create_teams)."""
        teams = self.lookups.teams
        return teams.made if isinstance(teams, TeamsMadeOnDemand) else []

    def plan(self, row: Row) -> PlannedRow | list[ImportProblem]:
        """The row's plan, or every problem with it."""
        problems: list[tuple[str, str]] = []  # (field, message)
        risk = self._target(row, problems)
        values = self._clean(row, problems)
        status = self._status(row, risk, problems)
        self._check_permission(risk, values["team"] if values else None, problems)
        if problems:
            return [
                ImportProblem(row.line, self.headers.get(name, name), message)
                for name, message in problems
            ]
        if risk is None:
            return self._create(row, values, status)
        return self._update(row, risk, values, status)

    def _target(self, row: Row, problems: list) -> Risk | None:
        """The risk the row updates (None to create it): the one with the row's key, else the
        one with its title."""
        key = row.cells.get("key", "").strip()
        if not key:
            return self._match_title(row.cells["title"], row.line, problems)
        number = parse_key(key)
        if number is None:
            problems.append(
                (
                    "key",
                    f"Give the key as RISK-<number>, or leave it empty to "
                    f"match the risk by its title (got {key!r}).",
                )
            )
            return None
        risk = self.by_number.get(number)
        if risk is None:
            # Keys are the tracker's to give: one taken from elsewhere could jump the series
            # past what it can issue, or collide with the next risk created here.
            problems.append(
                (
                    "key",
                    f"{format_key(number)} is not a risk in this tracker; leave the key empty "
                    "to create the risk (it gets the next free key).",
                )
            )
            return None
        if risk.archived_at is not None:
            problems.append(("key", f"{risk.key} is archived; restore it first."))
            return None
        self._claim(number, risk.key, row.line, "key", problems)
        return risk

    def _match_title(self, title: str, line: int, problems: list) -> Risk | None:
        matches = self.by_title.get(_title_key(title), [])
        if len(matches) > 1:
            keys = ", ".join(risk.key for risk in matches)
            problems.append(("title", f"{keys} all have this title; give the key of one."))
        elif matches:
            label = f"{matches[0].key} (matched by title)"
            self._claim(matches[0].number, label, line, "title", problems)
            return matches[0]
        elif title.strip():
            label = f"The title {title.strip()!r}"
            self._claim(_title_key(title), label, line, "title", problems)
        return None

    def _claim(self, identity: int | str, label: str, line: int, name: str, problems) -> None:
        """Refuse a second row for one risk: which of the two should win is anyone's guess."""
        first = self.claimed.setdefault(identity, line)
        if first != line:
            problems.append((name, f"{label} is also on line {first}; give each risk one row."))

    def _clean(self, row: Row, problems: list) -> dict[str, object] | None:
        raw = {name: row.cells[name] for name in EDITABLE_FIELDS if name in row.cells}
        try:
            # Always as when creating, so a row means the same whether it creates or updates.
            return clean_risk_values(raw, self.lookups, self.settings, creating=True)
        except ValidationError as exc:
            problems.extend(exc.errors.items())
            return None

    def _status(self, row: Row, risk: Risk | None, problems: list) -> str | None:
        """The status the row moves the risk to; None to keep it (or to start open)."""
        text = row.cells.get("status", "").strip().lower()
        if not text or (risk is not None and text == risk.status):
            return None
        if text not in lifecycle.STATUSES:
            statuses = ", ".join(lifecycle.STATUSES)
            problems.append(("status", f"The status must be one of {statuses} (got {text!r})."))
        elif text == "accepted":
            problems.append(
                (
                    "status",
                    "Accept risks in the tracker, where the approver and "
                    "the expiry date are recorded.",
                )
            )
        else:
            return text
        return None

    def _check_permission(self, risk: Risk | None, team: Team | None, problems: list) -> None:
        actor = self.actor
        if actor is None:
            return
        if risk is not None and not permissions.can_edit(actor, risk):
            message = f"{risk.key} belongs to {risk.team.slug}; change only your teams' risks."
            problems.append(("team", message))
        elif team is not None and not permissions.can_create_in(actor, team):
            problems.append(("team", f"Import risks only for your own teams, not {team.slug}."))

    def _create(self, row: Row, values: dict, status: str | None) -> PlannedRow:
        values = {**values, "status": status or "open"}
        if values["next_review"] is None:
            values["next_review"] = self._default_next_review(values)
        shown = created_changes({**values, "tags": values.get("tags") or None}, display)
        return PlannedRow(row.line, "create", "new", values["title"], shown, values=values)

    def _default_next_review(self, values: dict) -> date:
        # services.create_risk's rule: due after the cadence of the risk's band.
        band = self.settings.band(scoring.score(values["likelihood"], values["impact"]))
        return scoring.next_review(band, clock.today(), self.settings.review_cadence_days)

    def _update(self, row: Row, risk: Risk, values: dict, status: str | None) -> PlannedRow:
        wanted = {name: values[name] for name in EDITABLE_FIELDS if name in self.headers}
        if "next_review" in wanted and wanted["next_review"] is None:
            del wanted["next_review"]  # an empty date keeps the one set, as in the form
        if status:
            wanted["status"] = status
        # Compare the values themselves: displayed numbers may hide a change.
        changed = {name: new for name, new in wanted.items() if current_value(risk, name) != new}
        shown = [
            (name, display(current_value(risk, name)), display(new))
            for name, new in changed.items()
        ]
        action = "update" if changed else "unchanged"
        return PlannedRow(
            row.line,
            action,
            risk.key,
            values["title"],
            shown,
            risk=risk,
            version=risk.version,
            values=changed,
        )


class TeamsMadeOnDemand(Mapping):
    """The teams by slug, where a well-formed slug no team has yet names a new team (made
    once, not added to the session: the import adds it with the first risk it owns)."""

    def __init__(self, existing: Mapping[str, Team]):
        self.existing = existing
        self.made: list[Team] = []
        self._new: dict[str, Team] = {}

    def __getitem__(self, slug: str) -> Team:
        if slug in self.existing:
            return self.existing[slug]
        if slug not in self._new:
            if account_rules.slug_problem(slug):
                raise KeyError(slug)
            team = Team(slug=slug, name=slug.replace("-", " ").capitalize())
            self._new[slug] = team
            self.made.append(team)
        return self._new[slug]

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and (
            slug in self.existing or not account_rules.slug_problem(slug)
        )

    def __iter__(self) -> Iterator[str]:
        return iter({**self.existing, **self._new})

    def __len__(self) -> int:
        return len(self.existing) + len(self._new)
