"""Building the demo program (tracker.demo.program) in an empty database, through the app's
own services, so that its history, weekly trends and review snapshots are real.

The build replays ten weeks: each action runs with the app's clock (the CLOCK setting) set to
the moment it happened, in time order, and the dashboard's weekly figures are taken every
Monday in between. Dates are relative to today, so the demo always looks current.
"""

from __future__ import annotations

import heapq
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from tracker import clock
from tracker.accounts import services as accounts
from tracker.dashboard import trends
from tracker.demo.incidents import plan_incidents
from tracker.demo.program import MANAGER_OF, PEOPLE, REVIEWS, RISKS, TEAMS, Threat, Work
from tracker.domain.budget import bad_minutes_per_year
from tracker.extensions import db
from tracker.jira import links as jira_links
from tracker.mitigations import services as mitigations
from tracker.models import Incident, Mitigation, Risk, Team, User
from tracker.reviews import services as reviews
from tracker.risks import services as risks
from tracker.risks import settings as scoring_settings

START_DAY = -77  # eleven weeks ago: the teams and people


@dataclass(frozen=True)
class Account:
    """A demo sign-in: shown once, when the demo is built."""

    email: str
    name: str
    role: str
    teams: tuple[str, ...]
    password: str


def data_summary() -> str | None:
    """What the database holds already ("2 users, 1 team"), or None when it is empty."""
    counts = {
        noun: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for noun, model in (("user", User), ("team", Team), ("risk", Risk))
    }
    held = [f"{n} {noun}{'s' if n != 1 else ''}" for noun, n in counts.items() if n]
    return ", ".join(held) or None


class _Timeline:
    """Actions to run at moments relative to today, run in time order (ties in the order
    they were planned) with the app's clock set to each moment."""

    def __init__(self, today: date, zone):
        self.today, self.zone = today, zone
        self._queue: list = []
        self._order = itertools.count()

    def moment(self, day: int, minutes: int = 0) -> datetime:
        start = datetime.combine(self.today + timedelta(days=day), time(9, 0), self.zone)
        return start + timedelta(minutes=minutes)

    def at(self, day: int, action: Callable[[], object], minutes: int = 0) -> None:
        heapq.heappush(self._queue, (self.moment(day, minutes), next(self._order), action))

    def run(self) -> None:
        config = current_app.config
        saved = config.get("CLOCK")
        try:
            while self._queue:
                moment, _, action = heapq.heappop(self._queue)
                config["CLOCK"] = lambda moment=moment: moment
                action()
        finally:
            config["CLOCK"] = saved


def _residual_estimate(threat: Threat) -> float:
    """The demo owners' estimate of bad minutes a year once mitigated: the inherent estimate
    scaled by how much the residual score is below the inherent one."""
    expected = bad_minutes_per_year(*threat.quantified)
    (likelihood, impact) = threat.residual
    return round(expected * likelihood * impact / (threat.likelihood * threat.impact), 1)


class _Builder:
    def __init__(self, timeline: _Timeline):
        self.t = timeline
        self.today = timeline.today
        self.users: dict[str, User] = {}
        self.risks: dict[str, Risk] = {}
        self.incidents: dict[str, Incident] = {}

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def people(self) -> list[Account]:
        accounts_made = []
        for slug, name in TEAMS:
            accounts.create_team(slug, name)
        for person in PEOPLE:
            password = secrets.token_urlsafe(12)
            user = accounts.create_user(
                person.email, person.name, person.role, password, person.teams
            )
            self.users[person.email] = user
            accounts_made.append(
                Account(person.email, person.name, person.role, person.teams, password)
            )
        return accounts_made

    def manager(self, team: str) -> User:
        return self.users[MANAGER_OF[team]]

    def plan_risk(self, number: int, threat: Threat) -> None:
        self.t.at(threat.created, lambda: self._create(threat), minutes=number * 7)
        if number % 3:  # the owners review most risks now and then; the rest are overdue
            self.t.at(-1 - number % 25, lambda: self._reviewed(threat), minutes=300)
        for index, work in enumerate(threat.work):
            self._plan_work(threat, work, threat.created + 2 + index)
        if threat.status == "accepted":
            self.t.at(-14, lambda: self._accept(threat), minutes=120)
        elif threat.status == "closed":
            self.t.at(-30, lambda: self._status(threat, "closed", "Moved to object storage."))
        elif threat.status == "mitigated":
            self.t.at(-1, lambda: self._status(threat, "mitigated", ""), minutes=number)

    def _create(self, threat: Threat) -> None:
        raw = {
            "title": threat.title,
            "description": threat.description,
            "category": threat.category,
            "service": threat.service,
            "team": threat.team,
            "owner": MANAGER_OF[threat.team],
            "likelihood": threat.likelihood,
            "impact": threat.impact,
            "tags": threat.tags,
        }
        if threat.residual:
            raw["residual_likelihood"], raw["residual_impact"] = threat.residual
        if threat.quantified:
            names = ("ettd_minutes", "ettr_minutes", "users_impacted", "ettf_days")
            raw.update(zip(names, threat.quantified, strict=True))
            if threat.residual:
                raw["residual_bad_minutes_per_year"] = _residual_estimate(threat)
        risk = risks.create_risk(raw, self.manager(threat.team))
        self.risks[threat.title] = risk
        if threat.jira:
            jira_links.add_link(risk, threat.jira, self.manager(threat.team))

    def _plan_work(self, threat: Threat, work: Work, start: int) -> None:
        key = (threat.title, work.title)
        slipped = sum(days for days, _ in work.slips)
        team = work.team or threat.team
        self.t.at(start, lambda: self._add(threat, work, team, work.due - slipped))
        if work.state != "planned":
            self.t.at(start + 5, lambda: self._move(key, team, status="in_progress"))
        moved = 0
        for index, (days, reason) in enumerate(work.slips):
            moved += days
            due = work.due - slipped + moved
            # Spread over the last four weeks, so the reviews see some of them.
            when = min(-28 + index * 10 + len(work.title) % 20, -1)
            self.t.at(when, lambda due=due, r=reason: self._move(key, team, reason=r, due=due))
        if work.state == "done":
            finished = max(start + 8, min(work.due, 0) - 3)
            self.t.at(finished, lambda: self._move(key, team, status="done"))
        elif work.state == "blocked":
            self.t.at(-4, lambda: self._move(key, team, status="blocked", notes=work.note))

    def _add(self, threat: Threat, work: Work, team: str, due: int) -> None:
        risk = self.risks[threat.title]
        raw = {
            "title": work.title,
            "team": team,
            "owner": MANAGER_OF[team],
            "due_date": self.day(due),
        }
        mitigation = mitigations.add_mitigation(risk, raw, self.manager(team))
        if work.jira:
            jira_links.add_link(mitigation, work.jira, self.manager(team))

    def _move(self, key, team: str, *, reason: str = "", due: int | None = None, **raw) -> None:
        risk = self.risks[key[0]]
        mitigation = db.session.scalars(
            sa.select(Mitigation).where(Mitigation.risk_id == risk.id, Mitigation.title == key[1])
        ).one()
        if due is not None:
            raw["due_date"] = self.day(due)
        mitigations.update_mitigation(
            mitigation, raw, self.manager(team), expected_version=None, reason=reason
        )

    def _reviewed(self, threat: Threat) -> None:
        risk = self.risks[threat.title]
        if risk.status not in ("closed", "mitigated"):
            risks.mark_reviewed(risk, self.manager(threat.team), "Still as scored.")

    def _status(self, threat: Threat, target: str, reason: str) -> None:
        risk = self.risks[threat.title]
        risks.change_status(risk, target, self.manager(threat.team), reason=reason)

    def _accept(self, threat: Threat) -> None:
        tpm = self.users["tpm@example.com"]
        risk = self.risks[threat.title]
        risks.change_status(
            risk,
            "accepted",
            tpm,
            reason="Accepted at the weekly review.",
            approver=tpm,
            expires_on=self.day(76),
        )

    def plan_rescores(self) -> None:
        """Score movers between and after the reviews, with their reasons."""
        movers = (
            (
                -10,
                "Backups have never been restored end to end",
                {"likelihood": 3},
                "The first restore test failed: two tables were missing.",
            ),
            (
                -5,
                "Kubernetes control plane at 85% of its API rate limit",
                {"likelihood": 2},
                "Watch caches cut API calls by 40%.",
            ),
            (
                -3,
                "Card processor outage stops checkout",
                {"residual_likelihood": 1},
                "Automatic failover tested in staging.",
            ),
        )
        for day, title, raw, reason in movers:
            self.t.at(
                day, lambda title=title, raw=raw, reason=reason: self._rescore(title, raw, reason)
            )

    def _rescore(self, title: str, raw: dict, reason: str) -> None:
        risk = self.risks[title]
        risks.update_risk(
            risk, raw, self.manager(risk.team.slug), expected_version=None, reason=reason
        )

    def plan_reviews(self) -> None:
        tpm = self.users["tpm@example.com"]
        for meeting in REVIEWS:
            self.t.at(meeting.day, lambda meeting=meeting: self._review(meeting, tpm), minutes=60)
            self.t.at(meeting.day, lambda meeting=meeting: self._finish(meeting, tpm), minutes=105)

    def _review(self, meeting, tpm: User) -> None:
        """The meeting: start the review and decide on its risks (finished later)."""
        review = reviews.start_review(tpm)
        for decision in meeting.decisions:
            until = self.day(meeting.day + decision.until_days) if decision.until_days else None
            reviews.record_decision(
                review,
                tpm,
                risk_key=self.risks[decision.risk].key,
                kind=decision.kind,
                note=decision.note,
                until=until,
                assignee=decision.assignee,
            )
            risks.mark_reviewed(self.risks[decision.risk], tpm, "Discussed at the weekly review.")

    def _finish(self, meeting, tpm: User) -> None:
        reviews.finish_review(reviews.open_review(), tpm, meeting.notes)

    def plan_weekly_figures(self) -> None:
        """The dashboard's trend: each Monday's figures, for everyone and for each team."""
        monday = trends.week_of(self.day(START_DAY))
        while monday <= self.today:
            self.t.at((monday - self.today).days, self._snapshot, minutes=600)
            monday += timedelta(weeks=1)

    def _snapshot(self) -> None:
        settings = scoring_settings.current()
        trends.refresh_and_read(settings, "", None)
        for team in db.session.scalars(sa.select(Team)):
            trends.refresh_and_read(settings, team.slug, team.id)


def build_demo() -> list[Account]:
    """Fill an empty database with the demo program; return the accounts made (with their
    passwords, shown once). Raises RuntimeError naming what is there when it is not empty."""
    held = data_summary()
    if held:
        raise RuntimeError(held)
    timeline = _Timeline(clock.today(), ZoneInfo(current_app.config["TIMEZONE"]))
    builder = _Builder(timeline)
    made: list[Account] = []
    timeline.at(START_DAY, lambda: made.extend(builder.people()))
    timeline.run()  # the people first: everything else refers to them
    for number, threat in enumerate(RISKS):
        builder.plan_risk(number, threat)
    builder.plan_rescores()
    plan_incidents(builder)
    builder.plan_reviews()
    builder.plan_weekly_figures()
    timeline.run()
    return made
