"""The demo availability program: its teams, people, risks and the work on them.

Plain data, no Flask: tracker.demo.build enters it through the app's services. Days are
relative to the day the demo is built (negative: in the past), so it always looks current.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEAMS = (
    ("payments", "Payments"),
    ("platform", "Platform"),
    ("data", "Data"),
    ("edge", "Edge & API"),
)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str
    teams: tuple[str, ...] = ()


PEOPLE = (
    Person("tpm@example.com", "Tess Morgan", "admin", ("platform",)),
    Person("priya.shah@example.com", "Priya Shah", "manager", ("payments",)),
    Person("tom.becker@example.com", "Tom Becker", "manager", ("platform",)),
    Person("ana.silva@example.com", "Ana Silva", "manager", ("data",)),
    Person("li.wei@example.com", "Li Wei", "manager", ("edge", "platform")),
    Person("vp@example.com", "Morgan Lee", "viewer"),
)
MANAGER_OF = {
    "payments": "priya.shah@example.com",
    "platform": "tom.becker@example.com",
    "data": "ana.silva@example.com",
    "edge": "li.wei@example.com",
}


@dataclass(frozen=True)
class Work:
    """A mitigation and what happens to it.

    `due` is days from today (as first planned); `state` is where it ends: planned, started
    (in progress), done, blocked, or overdue (still planned, due date passed). `slips` move
    the due date later by that many days each, with a reason.
    """

    title: str
    due: int
    state: str = "planned"
    slips: tuple[tuple[int, str], ...] = ()
    jira: str | None = None
    team: str | None = None  # default: the risk's team
    note: str = ""


@dataclass(frozen=True)
class Threat:
    """A risk: inherent likelihood × impact, residual (target) levels, and the SRE
    quantification (ETTD min, ETTR min, share of users, ETTF days) when known."""

    team: str
    category: str
    title: str
    service: str
    likelihood: int
    impact: int
    residual: tuple[int, int] | None = None
    quantified: tuple[float, float, float, float] | None = None
    tags: str = ""
    work: tuple[Work, ...] = ()
    status: str | None = None  # accepted, mitigated or closed at the end; else as work moves
    description: str = ""
    created: int = -70  # days from today
    jira: str | None = None


RISKS = (
    Threat(
        "payments",
        "dependency",
        "Card processor outage stops checkout",
        "checkout",
        3,
        5,
        (2, 3),
        (5, 120, 0.35, 180),
        "third-party, payments",
        (
            Work(
                "Route card payments to a second processor on failure",
                45,
                "started",
                slips=((21, "The second processor's contract was signed three weeks late."),),
                jira="PAY-412",
            ),
            Work("Alert on authorisation rate drop within 2 minutes", -20, "done", jira="PAY-398"),
        ),
        description="Every card payment goes through one processor; its two incidents last "
        "year blocked all checkouts for 40 and 95 minutes.",
    ),
    Threat(
        "payments",
        "capacity",
        "Payment-events queue falls behind at peak",
        "payment-events",
        4,
        3,
        (2, 2),
        (10, 40, 0.3, 120),
        "peak, queue",
        (
            Work("Autoscale consumers on queue depth", -5, "overdue", jira="PAY-420"),
            Work("Load test at 3× Black Friday volume", 20),
        ),
    ),
    Threat(
        "payments",
        "deploy",
        "Schema migrations lock the payments table",
        "payments-db",
        3,
        4,
        (1, 4),
        (2, 25, 0.6, 90),
        "database, deploy",
        (Work("Online schema change tool for every migration", -10, "done"),),
        status="mitigated",
    ),
    Threat(
        "payments",
        "security",
        "Fraud-scoring timeouts block card payments",
        "fraud-scoring",
        3,
        3,
        (2, 2),
        (5, 30, 0.2, 60),
        "timeouts, third-party",
        (
            Work(
                "Fall back to rules when scoring takes over 800 ms",
                10,
                "blocked",
                note="Blocked on the fraud vendor's SDK release with configurable timeouts.",
                jira="PAY-431",
            ),
        ),
    ),
    Threat(
        "payments",
        "data",
        "Refund ledger and processor drift apart",
        "refunds",
        2,
        3,
        (1, 3),
        None,
        "reconciliation",
        (Work("Nightly reconciliation with alerts", 30),),
    ),
    Threat(
        "payments",
        "process",
        "Only one engineer can rotate the processor API keys",
        "checkout",
        2,
        4,
        (1, 2),
        None,
        "bus-factor, secrets",
        (Work("Runbook and a second trained engineer", -12, "overdue"),),
    ),
    Threat(
        "payments",
        "infrastructure",
        "Checkout pods pinned to one node pool",
        "checkout",
        2,
        4,
        (1, 3),
        (3, 20, 0.5, 365),
        "kubernetes",
        (Work("Spread checkout across three node pools", 15, "started"),),
    ),
    Threat(
        "payments",
        "dependency",
        "Currency-rate API has no cache",
        "pricing",
        3,
        2,
        None,
        (5, 15, 0.1, 45),
        "third-party",
        status="accepted",
    ),
    Threat(
        "platform",
        "infrastructure",
        "Primary orders database runs in a single zone",
        "orders-db",
        3,
        5,
        (2, 3),
        (5, 240, 1.0, 730),
        "database, single-az",
        (
            Work(
                "Synchronous standby in a second zone",
                30,
                "started",
                slips=(
                    (14, "Storage quota increase took two weeks."),
                    (10, "Replication lag tests failed on the first run."),
                ),
                jira="PLAT-211",
            ),
            Work("Rehearse failover every quarter", 75, jira="PLAT-212"),
        ),
        description="The orders database has no standby outside one zone. A zone outage takes "
        "checkout and order history down until the instance is rebuilt from the last snapshot.",
    ),
    Threat(
        "platform",
        "deploy",
        "Bad deploy reaches every host at once",
        "web",
        4,
        4,
        (2, 3),
        (10, 45, 0.3, 60),
        "deploy, canary",
        (
            Work(
                "Canary stage with automatic rollback",
                -3,
                "overdue",
                jira="PLAT-190",
                slips=((14, "Pipeline migration to the new CI came first."),),
            ),
            Work("Deploy freeze calendar in the pipeline", -30, "done"),
        ),
    ),
    Threat(
        "platform",
        "dependency",
        "Single DNS provider for all public domains",
        "dns",
        2,
        5,
        (2, 5),
        (5, 360, 1.0, 1825),
        "dns, third-party",
        status="accepted",
    ),
    Threat(
        "platform",
        "security",
        "TLS certificates on the partner API renewed by hand",
        "partner-api",
        3,
        3,
        (1, 3),
        (1440, 30, 0.02, 90),
        "tls, certificates",
        (
            Work("Automate renewal with ACME", -25, "done", jira="PLAT-175"),
            Work("Alert 21 days before any certificate expires", -18, "done"),
        ),
        status="mitigated",
    ),
    Threat(
        "platform",
        "capacity",
        "Kubernetes control plane at 85% of its API rate limit",
        "k8s-control-plane",
        3,
        4,
        (2, 3),
        (5, 60, 0.5, 240),
        "kubernetes, capacity",
        (Work("Move controllers to watch caches", 25, "started", jira="PLAT-220"),),
    ),
    Threat(
        "platform",
        "infrastructure",
        "Shared Redis has no replica",
        "sessions-redis",
        3,
        4,
        (1, 4),
        (3, 30, 0.9, 365),
        "redis, single-point",
        (Work("Redis replica with automatic failover", 40, "planned", jira="PLAT-231"),),
    ),
    Threat(
        "platform",
        "process",
        "On-call handover skipped at weekends",
        "on-call",
        3,
        2,
        (2, 2),
        None,
        "on-call, process",
        (Work("Handover checklist in the paging tool", 5, "started"),),
    ),
    Threat(
        "platform",
        "deploy",
        "Feature flags change production without review",
        "flags",
        3,
        3,
        (1, 3),
        (5, 20, 0.4, 60),
        "flags, change",
        (Work("Two-person approval for flag changes", -8, "overdue"),),
    ),
    Threat(
        "platform",
        "infrastructure",
        "Log pipeline drops events when disks fill",
        "logging",
        3,
        2,
        None,
        None,
        "observability",
        created=-40,
    ),
    Threat(
        "platform",
        "capacity",
        "Build cache outgrows its volume monthly",
        "ci",
        4,
        1,
        (2, 1),
        None,
        "ci",
        status="closed",
    ),
    Threat(
        "data",
        "data",
        "Backups have never been restored end to end",
        "backups",
        2,
        5,
        (1, 3),
        (60, 720, 1.0, 2920),
        "backup, disaster-recovery",
        (
            Work(
                "Monthly automated restore test",
                -2,
                "overdue",
                jira="DATA-88",
                slips=((30, "Restore environment was not ready."),),
            ),
            Work("Document restore runbook", -40, "done"),
        ),
    ),
    Threat(
        "data",
        "capacity",
        "Warehouse loads miss the 06:00 deadline at month end",
        "warehouse",
        4,
        2,
        (2, 2),
        (30, 180, 0.05, 30),
        "batch, capacity",
        (Work("Split the month-end load into partitions", 12, "started", jira="DATA-91"),),
    ),
    Threat(
        "data",
        "data",
        "Analytics replica lag hides recent orders from support",
        "analytics-db",
        3,
        2,
        (2, 1),
        (15, 60, 0.1, 20),
        "replication",
        (Work("Lag alert and read routing to primary", 18),),
    ),
    Threat(
        "data",
        "dependency",
        "Object storage region outage loses uploads in flight",
        "uploads",
        2,
        4,
        (1, 4),
        (10, 120, 0.15, 730),
        "storage, third-party",
        (
            Work(
                "Client-side retry with a second region",
                60,
                "blocked",
                note="Waiting for the storage team's cross-region bucket policy.",
                jira="DATA-97",
            ),
        ),
    ),
    Threat(
        "data",
        "security",
        "Personal data in debug logs",
        "logging",
        3,
        3,
        (1, 3),
        None,
        "privacy",
        (
            Work("Redact known fields in the log shipper", -15, "done"),
            Work("Scan logs for e-mail addresses daily", 7, "started"),
        ),
    ),
    Threat(
        "data",
        "infrastructure",
        "Kafka brokers share one rack",
        "kafka",
        2,
        5,
        (1, 4),
        (5, 90, 0.7, 900),
        "kafka, single-rack",
        (Work("Rack-aware broker placement", 35, "planned", jira="DATA-102"),),
    ),
    Threat(
        "data",
        "process",
        "Schema changes to events are not versioned",
        "events",
        3,
        3,
        (1, 2),
        None,
        "schemas",
        (Work("Schema registry with compatibility checks", 50),),
    ),
    Threat(
        "data",
        "data",
        "Search index rebuild takes 9 hours",
        "search",
        2,
        3,
        (2, 2),
        (20, 540, 0.3, 365),
        "search, recovery",
        created=-20,
    ),
    Threat(
        "edge",
        "dependency",
        "CDN configuration pushed without staging",
        "cdn",
        3,
        4,
        (1, 4),
        (5, 30, 0.6, 180),
        "cdn, change",
        (Work("Staging CDN property with automated checks", 20, "started", jira="EDGE-51"),),
    ),
    Threat(
        "edge",
        "capacity",
        "API gateway rate limits too low for partner bursts",
        "api-gateway",
        4,
        3,
        (2, 2),
        (5, 20, 0.15, 30),
        "rate-limits, partners",
        (
            Work(
                "Per-partner burst limits",
                -6,
                "overdue",
                jira="EDGE-47",
                slips=((10, "Partner agreed new limits late."),),
            ),
        ),
    ),
    Threat(
        "edge",
        "security",
        "DDoS protection not enabled on the legacy domain",
        "legacy-web",
        2,
        5,
        (1, 3),
        (10, 60, 1.0, 365),
        "ddos",
        (Work("Move the legacy domain behind the DDoS service", 14, "planned", jira="EDGE-55"),),
    ),
    Threat(
        "edge",
        "deploy",
        "Gateway route config pushed straight from the repository",
        "api-gateway",
        3,
        4,
        (1, 4),
        (3, 20, 0.8, 120),
        "config, validation",
        (Work("Schema check before every push", -35, "done"),),
        status="mitigated",
    ),
    Threat(
        "edge",
        "infrastructure",
        "Load balancer health checks hit a static page",
        "edge-lb",
        3,
        3,
        (1, 3),
        (5, 15, 0.4, 60),
        "health-checks",
        (Work("Deep health check endpoint", 9, "started"),),
    ),
    Threat(
        "edge",
        "dependency",
        "Identity provider outage blocks sign-in",
        "sso",
        2,
        4,
        (2, 3),
        (5, 60, 0.5, 365),
        "sso, third-party",
        (Work("Keep sessions valid for 12 hours during an outage", 28, "planned"),),
    ),
    Threat(
        "edge",
        "process",
        "No load test before marketing campaigns",
        "web",
        3,
        3,
        (2, 2),
        None,
        "campaigns, capacity",
        (Work("Campaign launch checklist with a load test", -1, "overdue"),),
    ),
    Threat(
        "edge",
        "capacity",
        "WebSocket servers hit file-descriptor limits",
        "realtime",
        3,
        3,
        (1, 3),
        (5, 25, 0.2, 45),
        "websocket",
        created=-5,
    ),
    Threat(
        "payments",
        "infrastructure",
        "Payment service pods run without resource limits",
        "payments",
        3,
        3,
        (1, 3),
        (3, 15, 0.3, 90),
        "kubernetes",
        created=-10,
    ),
    Threat(
        "platform",
        "security",
        "Break-glass admin access is not audited",
        "iam",
        2,
        3,
        (1, 2),
        None,
        "audit",
        (Work("Alert on break-glass sign-in", 22),),
    ),
    Threat(
        "data",
        "capacity",
        "Primary database disk at 78% and growing 4% a month",
        "orders-db",
        3,
        4,
        (1, 4),
        (5, 120, 1.0, 480),
        "database, capacity",
        (
            Work("Archive orders older than two years", 16, "started", jira="DATA-110"),
            Work("Resize the volume", 4, "planned", team="platform"),
        ),
    ),
    Threat(
        "edge",
        "security",
        "Web application firewall in monitor-only mode",
        "waf",
        2,
        4,
        (1, 3),
        None,
        "waf",
        (Work("Block mode for the top 20 rules", 33),),
    ),
    Threat(
        "payments",
        "process",
        "Incident review actions are not tracked",
        "process",
        3,
        2,
        (1, 2),
        None,
        "incidents",
        (Work("Follow-up actions become mitigations here", -45, "done"),),
        status="mitigated",
    ),
    Threat(
        "platform",
        "dependency",
        "Container registry is a single vendor region",
        "registry",
        2,
        4,
        (1, 4),
        (10, 120, 0.6, 540),
        "registry, third-party",
        (Work("Pull-through cache in each cluster", 55, "planned", jira="PLAT-240"),),
    ),
)


@dataclass(frozen=True)
class Decision:
    """A review decision about the risk titled `risk`."""

    risk: str
    kind: str
    note: str = ""
    until_days: int | None = None  # for accept, from the review's day
    assignee: str | None = None


@dataclass(frozen=True)
class Meeting:
    """A finished weekly review `day` days from today."""

    day: int
    notes: str
    decisions: tuple[Decision, ...] = field(default_factory=tuple)


REVIEWS = (
    Meeting(
        -14,
        "First review from the tracker. Payments and Platform own the top five; the orders "
        "database standby is the biggest single item against the budget.",
        (
            Decision(
                "Primary orders database runs in a single zone",
                "escalate",
                "Ask for the storage quota this week; the standby slipped.",
            ),
            Decision(
                "Single DNS provider for all public domains",
                "accept",
                "Accepted for a quarter while the second provider is evaluated.",
                90,
            ),
            Decision(
                "Backups have never been restored end to end",
                "assign",
                assignee="ana.silva@example.com",
            ),
        ),
    ),
    Meeting(
        -7,
        "Canary deploys slipped again; the pipeline work is now the blocker. Card processor "
        "failover is on track for next month.",
        (
            Decision(
                "Bad deploy reaches every host at once",
                "escalate",
                "Canary stage is overdue; bring a date to the next review.",
            ),
            Decision(
                "Payment-events queue falls behind at peak",
                "note",
                "Autoscaling needs the new metrics adapter first.",
            ),
            Decision(
                "Kubernetes control plane at 85% of its API rate limit",
                "rescore",
                "Likelihood down one level once watch caches land.",
            ),
        ),
    ),
)
