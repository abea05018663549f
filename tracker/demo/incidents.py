"""The demo program's incidents: a year of outages against the 99.8% budget, the risks they
materialised and the follow-ups their reviews asked for.

Plain data and one function that plans them on the demo's timeline. Incidents from before the
tracker was adopted (ten weeks ago) are recorded on adoption day with their real times, as a
team importing its incident log would; later ones are recorded as they happen. The last four
weeks spend most of that window's budget without exhausting it, one reviewed-twice risk was
estimated too low, and the latest big incident still waits for its review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tracker.incidents import services as incidents
from tracker.mitigations import services as mitigations

ADOPTED_DAY = -60  # the incident log of the year before is entered on this day


@dataclass(frozen=True)
class FollowUp:
    title: str
    horizon: str  # short: an action item; long: a strategic change
    due: int  # days from today
    done: bool = False


@dataclass(frozen=True)
class PastIncident:
    """`day` and `hour` say when it started (days from today); `minutes` how long it lasted;
    `share` of users affected, or `impact` minutes as assessed. `review` is days after the
    start the review was held (None: not yet); a reviewed incident is closed."""

    title: str
    team: str
    severity: str
    services: tuple[str, ...]
    risk: str
    day: int
    hour: int
    minutes: int
    share: float | None = None
    impact: float | None = None
    review: int | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    summary: str = ""


INCIDENTS = (
    PastIncident(
        "DNS provider outage made every public domain unreachable",
        "platform",
        "sev1",
        ("dns", "www", "api"),
        "Single DNS provider for all public domains",
        -330,
        14,
        85,
        share=1.0,
        review=5,
        summary="The provider's anycast network failed in two regions; cached answers expired "
        "after 5 minutes and the sites went dark until it recovered.",
    ),
    PastIncident(
        "Card processor outage failed a third of checkouts",
        "payments",
        "sev1",
        ("checkout", "payments"),
        "Card processor outage stops checkout",
        -300,
        19,
        95,
        share=0.35,
        review=4,
    ),
    PastIncident(
        "Redis failover dropped sessions and signed everyone out",
        "platform",
        "sev2",
        ("sessions", "redis"),
        "Shared Redis has no replica",
        -250,
        10,
        25,
        share=0.9,
        review=6,
        follow_ups=(FollowUp("Keep sessions in two Redis nodes", "short", -45, done=True),),
    ),
    PastIncident(
        "Kafka rack switch failure stalled order events",
        "data",
        "sev2",
        ("kafka", "orders"),
        "Kafka brokers share one rack",
        -200,
        3,
        30,
        share=0.7,
        review=7,
    ),
    PastIncident(
        "Expired certificate broke the partner API",
        "platform",
        "sev2",
        ("partner-api",),
        "TLS certificates on the partner API renewed by hand",
        -150,
        8,
        180,
        share=0.02,
        review=3,
    ),
    PastIncident(
        "CDN rule pushed without staging served broken images",
        "edge",
        "sev2",
        ("cdn", "www"),
        "CDN configuration pushed without staging",
        -90,
        16,
        40,
        share=0.6,
        review=5,
    ),
    PastIncident(
        "Bad deploy of checkout-api reached every host",
        "platform",
        "sev2",
        ("checkout",),
        "Bad deploy reaches every host at once",
        -40,
        11,
        38,
        share=0.3,
        review=4,
        follow_ups=(
            FollowUp("Deploy halt button for on-call", "short", -30, done=True),
            FollowUp("Roll back automatically on error-rate alarm", "long", 40),
        ),
    ),
    PastIncident(
        "Orders database failover took an hour",
        "platform",
        "sev1",
        ("orders", "checkout"),
        "Primary orders database runs in a single zone",
        -20,
        2,
        60,
        impact=40,
        review=5,
        follow_ups=(
            FollowUp("Write and test the manual failover runbook", "short", -8, done=True),
            FollowUp("Page the database on-call before the replica lag alarm", "short", 10),
        ),
        summary="The primary's zone lost power; promoting the replica by hand took 60 minutes. "
        "Some orders kept working from the cache, so 40 minutes count against the budget.",
    ),
    PastIncident(
        "Kafka broker rack lost power; order events delayed",
        "data",
        "sev2",
        ("kafka", "orders"),
        "Kafka brokers share one rack",
        -9,
        22,
        45,
        share=0.7,
    ),
    PastIncident(
        "Gateway rate limits throttled a partner's burst",
        "edge",
        "sev3",
        ("api-gateway",),
        "API gateway rate limits too low for partner bursts",
        -3,
        15,
        120,
        share=0.05,
    ),
)


def plan_incidents(builder) -> None:
    """Plan every incident, its risk link, review and follow-ups on the builder's timeline."""
    for number, past in enumerate(INCIDENTS):
        recorded = max(past.day + 1, ADOPTED_DAY)
        builder.t.at(recorded, lambda past=past: _record(builder, past), minutes=number)
        if past.review is not None:
            reviewed = max(past.day + past.review, ADOPTED_DAY)
            builder.t.at(reviewed, lambda past=past: _review(builder, past), minutes=60 + number)


def _record(builder, past: PastIncident) -> None:
    manager = builder.manager(past.team)
    started = builder.t.moment(past.day, (past.hour - 9) * 60)  # moments count from 09:00
    raw = {
        "title": past.title,
        "summary": past.summary,
        "severity": past.severity,
        "services": list(past.services),
        "team": past.team,
        "commander": manager.email,
        "started_at": started,
        "detected_at": started + timedelta(minutes=min(5, past.minutes)),
        "resolved_at": started + timedelta(minutes=past.minutes),
    }
    if past.impact is not None:
        raw["impact_minutes"] = past.impact
    else:
        raw["users_impacted"] = past.share
    incident = incidents.create_incident(raw, manager)
    incidents.link_risk(incident, builder.risks[past.risk], manager)
    builder.incidents[past.title] = incident


def _review(builder, past: PastIncident) -> None:
    manager = builder.manager(past.team)
    incident = builder.incidents[past.title]
    held = builder.day(past.day + past.review)
    incidents.update_incident(
        incident,
        {"review_date": held, "review_url": f"https://wiki.example.com/reviews/{incident.key}"},
        manager,
        expected_version=None,
    )
    incidents.change_status(incident, "reviewing", manager)
    risk = builder.risks[past.risk]
    for follow_up in past.follow_ups:
        mitigation = mitigations.add_mitigation(
            risk,
            {
                "title": follow_up.title,
                "team": past.team,
                "owner": manager.email,
                "due_date": builder.day(follow_up.due),
                "source_incident": incident.key,
                "horizon": follow_up.horizon,
            },
            manager,
        )
        if follow_up.done:
            mitigations.update_mitigation(
                mitigation, {"status": "done"}, manager, expected_version=None
            )
    incidents.change_status(incident, "closed", manager)
