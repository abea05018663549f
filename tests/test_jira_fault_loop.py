"""The Jira faults guarantee: a seeded loop of syncs with faults injected at random points —
429, 500, timeouts, dropped connections, oversized fields, deleted tickets, people editing the
same mitigations mid-sync — never crashes a run, and once Jira answers again one sync leaves the
local state equal to a clean sync of Jira's final state."""

from __future__ import annotations

import random
import threading

import pytest
import sqlalchemy as sa

from tests.helpers import new_mitigation
from tests.test_jira_faults import sync
from tracker.extensions import db
from tracker.jira import batches, drift, links
from tracker.jira.batches import TICKET_COLUMNS
from tracker.mitigations import services as mitigation_services
from tracker.models import DriftFlag, JiraTicket, Mitigation

SEED = 20261205
ROUNDS = 14
TICKETS = [f"OPS-{n}" for n in range(1, 13)]
SEARCH = "/rest/api/2/search"
STATES = [
    {"status_name": "To Do", "status_category": "new", "resolution": None},
    {"status_name": "In Progress", "status_category": "indeterminate", "resolution": None},
    {"status_name": "Done", "status_category": "done", "resolution": "Done"},
    {"status_name": "Closed", "status_category": "done", "resolution": "Won't Do"},
]


def change_jira(rng: random.Random, jira, deleted: set[str]) -> None:
    """Move a few tickets on, sometimes with oversized fields; delete or bring one back."""
    for key in rng.sample([k for k in TICKETS if k not in deleted], 3):
        fields = dict(rng.choice(STATES))
        fields["assignee"] = rng.choice([None, "Ana Ops", "B" * 250])
        fields["duedate"] = rng.choice([None, "2026-04-01", "2026-09-30"])
        if rng.random() < 0.3:
            fields["status_name"] = "S" * 150
            fields["summary"] = "Summary \x00 " + "x" * 600
        jira.update_ticket(key, **fields)
    if rng.random() < 0.25:
        key = rng.choice([k for k in TICKETS if k not in deleted])
        jira.delete_ticket(key)
        deleted.add(key)
    elif deleted and rng.random() < 0.5:
        key = deleted.pop()
        jira.add_ticket(key, summary=f"{key} again")


def inject_faults(rng: random.Random, jira) -> None:
    for _ in range(rng.randint(0, 2)):
        kind = rng.choice(["429", "500", "timeout", "drop"])
        if kind == "429":
            jira.fail(SEARCH, 429, headers={"Retry-After": "1"})
        elif kind == "500":
            jira.fail(SEARCH, 500)
        elif kind == "timeout":
            jira.fail_slow(SEARCH, 0.6)
        else:
            jira.fail_drop(SEARCH)


def edit_meanwhile(app, rng: random.Random, mitigation_ids: list[int], monkeypatch) -> None:
    """Someone saves a mitigation (in their own request) at a random point: before a batch is
    written or, on PostgreSQL (SQLite lets one writer at a time), after the sync has read the
    mitigations it may move and before it writes them."""
    mid_batch = db.engine.dialect.name == "postgresql" and rng.random() < 0.5
    module, name = (drift, "move_statuses") if mid_batch else (batches, "apply_batch")
    real = getattr(module, name)
    calls = {"n": 0, "at": rng.randint(1, 4)}
    target, note = rng.choice(mitigation_ids), f"note {rng.random():.6f}"

    def person_saves():
        with app.app_context():
            mitigation = db.session.get(Mitigation, target)
            mitigation_services.update_mitigation(
                mitigation, {}, None, expected_version=mitigation.version, note=note
            )
            db.session.remove()

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == calls["at"]:
            person = threading.Thread(target=person_saves)
            person.start()
            person.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, interrupted)


def local_state() -> dict:
    db.session.expire_all()
    # A ticket Jira no longer has keeps what was last read of it, which a clean sync never
    # saw: of those, only that they are broken counts.
    tickets = {
        t.key: ("broken",) if t.broken else (*(getattr(t, n) for n in TICKET_COLUMNS), t.state)
        for t in db.session.scalars(sa.select(JiraTicket))
    }
    statuses = dict(db.session.execute(sa.select(Mitigation.id, Mitigation.status)).all())
    flag = (DriftFlag.mitigation_id, DriftFlag.risk_id, DriftFlag.ticket_key, DriftFlag.kind)
    flags = sorted(db.session.execute(sa.select(*flag)).all(), key=repr)
    return {"tickets": tickets, "mitigations": statuses, "drift": flags}


def forget_what_jira_said() -> None:
    """The local copy of Jira as before any sync: what a clean sync starts from."""
    db.session.execute(sa.delete(DriftFlag))
    db.session.execute(
        sa.update(JiraTicket).values(
            summary="",
            status=None,
            status_category=None,
            resolution=None,
            assignee=None,
            due_date=None,
            fix_versions="",
            updated=None,
            state=None,
            synced_at=None,
            broken=False,
            broken_reason=None,
        )
    )
    db.session.commit()


@pytest.mark.jira_deployment("DataCenter")
def test_faulty_syncs_end_equal_to_a_clean_sync_of_the_final_jira_state(
    app, jira, factory, clock, monkeypatch
):
    app.config.update(JIRA_BATCH_SIZE=3, JIRA_TIMEOUT=0.3, JIRA_MAX_RETRIES=2)
    rng = random.Random(SEED)
    risk = factory.risk(team=factory.team("sre", "SRE"), title="Primary database in one zone")
    mitigations = [new_mitigation(risk, clock, f"Step {n}", follow=n % 2 == 0) for n in range(4)]
    mitigation_ids = [m.id for m in mitigations]
    for n, key in enumerate(TICKETS):
        jira.add_ticket(key, summary=f"Ticket {key}")
        links.add_link(mitigations[n % 4] if n % 6 else risk, key, None)
    deleted: set[str] = set()
    outcomes = []

    for _ in range(ROUNDS):
        change_jira(rng, jira, deleted)
        inject_faults(rng, jira)
        with monkeypatch.context() as patch:
            if rng.random() < 0.5:
                edit_meanwhile(app, rng, mitigation_ids, patch)
            outcomes.append(sync(app, full=rng.random() < 0.4).status)
        clock.advance(minutes=rng.randint(1, 30))

    assert set(outcomes) <= {"succeeded", "partial", "failed"}
    assert "partial" in outcomes, "the faults reached the sync"
    jira.clear_faults()
    assert sync(app, full=True).status == "succeeded"
    after_faults = local_state()

    forget_what_jira_said()
    assert sync(app, full=True).status == "succeeded"

    assert local_state() == after_faults
