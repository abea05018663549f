"""Planning one row of an incident import: which incident it means, and what it would change.

IncidentRowPlanner loads the incidents, the lookups and the settings once per file; csv_import
drives it row by row and writes the result. A row is cleaned by the rules of the form
(fields.clean_incident_values) and settled by the service's rules (services.settle), so the
import refuses what the form and the API refuse.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.domain import incidents as rules
from tracker.extensions import db
from tracker.history import display_value
from tracker.imports import IMPORT_REASON, created_changes
from tracker.incidents import csv_cells, permissions, services
from tracker.incidents.fields import EDITABLE_FIELDS, clean_incident_values
from tracker.incidents.keys import format_incident_key, parse_incident_key
from tracker.incidents.settings import severities
from tracker.models import Incident, Mitigation, Risk, User
from tracker.risks.fields import Lookups
from tracker.risks.keys import parse_key
from tracker.spreadsheets import ImportProblem, Row, display
from tracker.validation import ValidationError

# What a row can change, in the order a plan shows it.
COMPARED = (*services.PLAIN_FIELDS, "impact_minutes", "impact_share", "status")
MOMENTS = ("started_at", "detected_at", "resolved_at")


@dataclass(frozen=True)
class PlannedIncident:
    """What one row does; `changes` lists (field, old, new) as displayed (old None for a new
    incident: what it will hold)."""

    line: int
    action: str  # "create", "update" or "unchanged"
    key: str  # INC-n, or "new" for an incident numbered when the import is applied
    title: str
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    incident: Incident | None = field(default=None, repr=False)
    version: int | None = None
    # The settled values (services.settle), the services and the linked risks to set (None:
    # leave them).
    values: dict[str, object] = field(default_factory=dict, repr=False)
    services: list[str] | None = None
    risks: list[Risk] | None = field(default=None, repr=False)


def _identity(title: str, started_at: datetime) -> tuple[str, datetime]:
    return title.strip().casefold(), started_at.astimezone(UTC)


class IncidentRowPlanner:
    """Plans rows against the incidents as they are, loaded once for the whole file."""

    def __init__(self, headers: dict[str, str], actor: User | None):
        self.headers = headers
        self.actor = actor
        loaded = Lookups.load()
        self.lookups = Lookups(
            teams=csv_cells.teams_by_slug_or_name(loaded.teams),
            users=csv_cells.users_by_email_or_name(loaded.users),
            categories=loaded.categories,
        )
        self.severities = severities()
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.now = clock.now()
        incidents = db.session.scalars(
            sa.select(Incident).options(
                joinedload(Incident.team),
                joinedload(Incident.commander),
                selectinload(Incident.service_rows),
                selectinload(Incident.risks),
            )
        ).unique()
        self.by_number: dict[int, Incident] = {}
        self.by_identity: dict[tuple, list[Incident]] = defaultdict(list)
        for incident in incidents:
            self.by_number[incident.number] = incident
            self.by_identity[_identity(incident.title, incident.started_at)].append(incident)
        self.risks: dict[int, Risk] | None = None  # loaded when a file has the column
        pairs = db.session.execute(
            sa.select(Mitigation.source_incident_id, Mitigation.risk_id).where(
                Mitigation.source_incident_id.is_not(None)
            )
        )
        # (incident id, risk id) of every follow-up: a link they rely on stays.
        self.follow_ups = {(incident_id, risk_id) for incident_id, risk_id in pairs}
        self.claimed: dict[object, int] = {}

    def plan(self, row: Row) -> PlannedIncident | list[ImportProblem]:
        """The row's plan, or every problem with it."""
        problems: list[tuple[str, str]] = []  # (field, message)
        clean = self._clean(row, problems)
        incident = self._target(row, clean, problems)
        status = self._status(row, incident, clean, problems)
        risks = self._risks(row, incident, problems)
        values = None
        if clean is not None:
            values = self._settle(incident, clean, status, problems)
            self._check_permission(incident, clean.get("team"), problems)
        if problems:
            return [
                ImportProblem(row.line, self.headers.get(name, name), message)
                for name, message in problems
            ]
        if incident is None:
            shown = {**values, "services": clean.get("services") or None}
            shown["risks"] = [risk.key for risk in risks] if risks else None
            return PlannedIncident(
                row.line,
                "create",
                "new",
                values["title"],
                created_changes(shown, display),
                values=values,
                services=clean.get("services", []),
                risks=risks,
            )
        return self._update(row, incident, values, clean.get("services"), risks)

    def _clean(self, row: Row, problems: list) -> dict[str, object] | None:
        raw: dict[str, object] = {n: row.cells[n] for n in EDITABLE_FIELDS if n in row.cells}
        if "severity" in raw:
            raw["severity"] = csv_cells.severity_level(row.cells["severity"], self.severities)
        for name in MOMENTS:
            if raw.get(name, "").strip():
                raw[name] = csv_cells.moment(row.cells[name])
        try:
            # The required columns are in every file, so a row means the same whether it
            # creates or updates.
            clean = clean_incident_values(
                raw, self.lookups, self.severities, self.zone, creating=False
            )
        except ValidationError as exc:
            problems.extend(exc.errors.items())
            return None
        for name in MOMENTS:
            if clean.get(name) is not None:
                clean[name] = clean[name].astimezone(UTC)
        return clean

    def _target(self, row: Row, clean: dict | None, problems: list) -> Incident | None:
        """The incident the row updates (None to create it): the one with the row's key, else
        the one with its title and start."""
        text = row.cells.get("key", "").strip()
        if text:
            number = parse_incident_key(text)
            incident = self.by_number.get(number) if number else None
            if number is None:
                message = f"Give the key as INC-<number>, or leave it empty (got {text!r})."
                problems.append(("key", message))
            elif incident is None:
                problems.append(
                    (
                        "key",
                        f"{format_incident_key(number)} is not an incident in this tracker; "
                        "leave the key empty to record it (it gets the next free key).",
                    )
                )
            else:
                self._claim(number, incident.key, row.line, "key", problems)
            return incident
        if clean is None:
            return None
        identity = _identity(clean["title"], clean["started_at"])
        matches = self.by_identity.get(identity, [])
        if len(matches) > 1:
            keys = ", ".join(incident.key for incident in matches)
            problems.append(("title", f"{keys} all have this title and start; give the key."))
            return None
        name = f"{matches[0].key} (matched by title and start)" if matches else "This incident"
        self._claim(identity, name, row.line, "title", problems)
        return matches[0] if matches else None

    def _claim(self, identity, name: str, line: int, column: str, problems: list) -> None:
        """Refuse a second row for one incident: which of the two should win is anyone's guess."""
        first = self.claimed.setdefault(identity, line)
        if first != line:
            problems.append((column, f"{name} is also on line {first}; give it one row."))

    def _status(
        self, row: Row, incident: Incident | None, clean: dict | None, problems: list
    ) -> str | None:
        """The status the row moves the incident to; None to keep it (or to start open)."""
        text = row.cells.get("status", "")
        target = csv_cells.status_word(text)
        if target is None:
            problems.append(("status", f"{csv_cells.status_hint()}; got {text.strip()!r}."))
            return None
        if not target or (incident is not None and target == incident.status):
            return None
        if incident is not None:
            resolved_at = (clean or {}).get("resolved_at", incident.resolved_at)
            if problem := rules.transition_problem(
                incident.status, target, resolved=resolved_at is not None, reason=IMPORT_REASON
            ):
                problems.append(("status", problem))
                return None
        return target

    def _risks(self, row: Row, incident: Incident | None, problems: list) -> list[Risk] | None:
        """The risks the row links (None when the file has no risks column)."""
        if "risks" not in row.cells:
            return None
        if self.risks is None:
            self.risks = {risk.number: risk for risk in db.session.scalars(sa.select(Risk))}
        linked: list[Risk] = []
        for text in filter(None, (part.strip() for part in row.cells["risks"].split(","))):
            risk = self.risks.get(parse_key(text) or 0)
            if risk is None:
                problems.append(("risks", f"No risk has the key {text!r}; give keys like RISK-3."))
            elif risk not in linked:
                linked.append(risk)
        for risk in incident.risks if incident is not None else ():
            if risk not in linked and (incident.id, risk.id) in self.follow_ups:
                problems.append(
                    (
                        "risks",
                        f"{incident.key}'s follow-ups are on {risk.key}; keep it linked, or "
                        "clear their source incident first.",
                    )
                )
        return sorted(linked, key=lambda risk: risk.number)

    def _settle(
        self, incident: Incident | None, clean: dict, status: str | None, problems: list
    ) -> dict | None:
        current = services.current_values(incident) if incident else services.new_values()
        if status:
            current["status"] = status
        self._one_impact(current, clean, problems)
        try:
            return services.settle(current, clean)
        except ValidationError as exc:
            problems.extend(exc.errors.items())
            return None

    def _one_impact(self, current: dict, clean: dict, problems: list) -> None:
        """The export writes both the impact minutes and the share they came from: keep the
        share when the minutes are what it gives (to the minute; an open incident's grow)."""
        minutes, share = clean.get("impact_minutes"), clean.get("users_impacted")
        if minutes is None or share is None:
            return
        started = clean.get("started_at", current["started_at"])
        resolved = clean.get("resolved_at", current["resolved_at"])
        duration = rules.duration_minutes(started, resolved, self.now)
        if resolved is None or abs(rules.impact_from_share(share, duration) - minutes) <= 1:
            del clean["impact_minutes"]

    def _check_permission(self, incident: Incident | None, team, problems: list) -> None:
        actor = self.actor
        if actor is None:
            return
        if incident is not None and not permissions.can_edit(actor, incident):
            message = f"{incident.key} belongs to {incident.team.slug}; change only your teams'."
            problems.append(("team", message))
        elif (
            team is not None
            and (incident is None or team != incident.team)
            and not permissions.can_own(actor, team)
        ):
            message = f"Import incidents only for your own teams, not {team.slug}."
            problems.append(("team", message))

    def _update(self, row, incident: Incident, values: dict, services_, risks) -> PlannedIncident:
        current = services.current_values(incident)
        changes = [
            (name, display_value(current[name]), display_value(values[name]))
            for name in COMPARED
            if display_value(current[name]) != display_value(values[name])
        ]
        if _only_growing_impact(changes, incident):
            changes = []
        if services_ is not None and services_ != incident.services:
            changes.append(("services", display_value(incident.services), display_value(services_)))
        if risks is not None and risks != list(incident.risks):
            old, new = ([r.key for r in rs] for rs in (incident.risks, risks))
            changes.append(("risks", display_value(old) or None, display_value(new) or None))
        return PlannedIncident(
            row.line,
            "update" if changes else "unchanged",
            incident.key,
            incident.title,
            changes,
            incident=incident,
            version=incident.version,
            values=values,
            services=services_,
            risks=risks,
        )


def _only_growing_impact(changes: list, incident: Incident) -> bool:
    """An open incident's impact, given as a share, grows with its duration: on its own that
    is not a change the file makes."""
    return (
        [name for name, _, _ in changes] == ["impact_minutes"]
        and incident.resolved_at is None
        and incident.impact_share is not None
    )
