"""The dashboard's cached figures: every write to the register makes them stale, readers share
one computation per change, and Redis (when configured) shares them between processes."""

from __future__ import annotations

import socket
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_config, signed_in_client
from tests.test_risks import form_data
from tracker import create_app, figures_cache, register_version
from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.figures_cache import FiguresCache, MemoryStore
from tracker.incidents import services as incidents
from tracker.jira import links
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.mitigations.services import add_mitigation, update_mitigation
from tracker.models import Risk
from tracker.reviews import services as reviews
from tracker.risks import services as risks
from tracker.risks.csv_import import apply_import, plan_import

REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def bumps_the_version():
    before = register_version.current()
    yield
    assert register_version.current() > before, "the write left the register's version alone"


@contextmanager
def keeps_the_version():
    before = register_version.current()
    yield
    assert register_version.current() == before


def computations(app, name: str = "dashboard") -> int:
    return app.extensions[figures_cache.EXTENSION].computations[name]


@pytest.fixture
def risk(factory, payments):
    return factory.risk(team=payments, title="Primary database in one zone")


# Every write path bumps the version ---------------------------------------------------------


def test_creating_and_editing_a_risk_bump_the_version(app, factory, payments):
    with bumps_the_version():
        risk = factory.risk(team=payments)
    with bumps_the_version():
        risks.update_risk(risk, {"title": "Renamed"}, None, expected_version=risk.version)


def test_adding_and_editing_a_mitigation_bump_the_version(app, risk, clock):
    due = clock.current.date() + timedelta(days=10)
    with bumps_the_version():
        mitigation = add_mitigation(
            risk, {"title": "Replica", "team": "payments", "due_date": due}, None
        )
    with bumps_the_version():
        update_mitigation(
            mitigation, {"status": "in_progress"}, None, expected_version=mitigation.version
        )


def test_linking_a_jira_ticket_bumps_the_version(app, risk):
    with bumps_the_version():
        links.add_link(risk, "OPS-7", None)


@pytest.mark.jira_deployment("DataCenter")
def test_a_jira_sync_that_changes_tickets_bumps_the_version(app, jira, risk):
    jira.add_ticket("OPS-1", summary="Add replica", status_name="Done", status_category="done")
    links.add_link(risk, "OPS-1", None)
    with bumps_the_version():
        run = run_sync(JiraSettings.from_config(app.config), full=True)
    assert run.status == "succeeded", run.error


@pytest.mark.jira_deployment("DataCenter")
def test_a_sync_that_finds_nothing_changed_bumps_the_version_for_the_run_only(app, jira, risk):
    """The run's status shows on the dashboard (queued, running, then how it ended); stamping
    each batch's tickets as read, and the run's counts, do not — so they must not empty the
    cache at every batch."""
    for number in range(1, 121):  # three batches of 50
        jira.add_ticket(f"OPS-{number}", summary="Work", status_name="Open")
        links.add_link(risk, f"OPS-{number}", None)
    settings = JiraSettings.from_config(app.config)
    assert run_sync(settings, full=True).status == "succeeded"
    before = register_version.current()
    run = run_sync(settings, full=True)
    assert run.status == "succeeded", run.error
    assert run.tickets_read == 120 and run.tickets_changed == 0
    assert register_version.current() - before == 3


def test_a_csv_import_bumps_the_version(app, payments):
    text = "title,category,team,likelihood,impact\nImported risk,infrastructure,payments,3,4\n"
    plan = plan_import(text)
    assert plan.valid, plan.errors
    with bumps_the_version():
        apply_import(plan, None)


def test_starting_a_review_and_deciding_bump_the_version(app, admin, risk):
    with bumps_the_version():
        review = reviews.start_review(admin)
    with bumps_the_version():
        reviews.record_decision(
            review, admin, risk_key=risk.key, kind="escalate", note="Needs a budget."
        )


def test_incidents_their_links_and_follow_ups_bump_the_version(app, risk, payments, clock):
    start = clock.current - timedelta(hours=2)
    raw = {
        "title": "Checkout down",
        "severity": "sev2",
        "team": payments.slug,
        "services": "Checkout",
        "started_at": start.isoformat(),
        "resolved_at": (start + timedelta(hours=1)).isoformat(),
        "impact_minutes": "30",
    }
    with bumps_the_version():
        incident = incidents.create_incident(raw, None)
    with bumps_the_version():
        incidents.link_risk(incident, risk, None)
    with bumps_the_version():
        add_mitigation(
            risk,
            {
                "title": "Fail over faster",
                "team": "payments",
                "due_date": clock.current.date() + timedelta(days=30),
                "source_incident": incident.key,
                "horizon": "short",
            },
            None,
        )


def test_team_changes_bump_the_version(app, factory, payments):
    person = factory.user(email="ana@example.com", role="manager")
    with bumps_the_version():
        accounts.create_team("search", "Search")
    with bumps_the_version():
        accounts.add_member(payments, person)
    with bumps_the_version():
        accounts.rename_team(payments, "Payments and billing")


def test_a_bulk_statement_bumps_the_version(app, risk):
    with bumps_the_version():
        db.session.execute(sa.update(Risk).values(service="checkout"))
        db.session.commit()


def test_a_rolled_back_write_leaves_the_version(app, risk):
    with keeps_the_version():
        risk.title = "Never saved"
        db.session.flush()
        db.session.rollback()
        db.session.commit()


def test_viewing_the_dashboard_and_signing_in_leave_the_version(app, risk, factory, auth):
    factory.user(email="vera@example.com", password="a long enough password")
    with keeps_the_version():
        assert auth.login("vera@example.com", "a long enough password").status_code == 302
        assert auth._client.get("/").status_code == 200  # stores this week's trend row


# Readers -----------------------------------------------------------------------------------


def test_a_reader_sees_their_own_save_at_once(app, manager_client, manager):
    risk = risks.create_risk(form_data(), manager)
    assert "Primary database in one zone" in manager_client.get("/").get_data(as_text=True)
    saved = manager_client.post(
        f"/risks/{risk.key}/edit", data=form_data(risk, title="Database failover untested")
    )
    assert saved.status_code == 302
    page = manager_client.get("/").get_data(as_text=True)
    assert "Database failover untested" in page and "Primary database in one zone" not in page


def test_a_room_of_readers_costs_one_computation_per_change(app, factory, risk):
    readers = [signed_in_client(app, factory.user(role="viewer")) for _ in range(8)]
    for reader in readers:
        assert reader.get("/").status_code == 200
    assert computations(app) == 1
    assert computations(app, "dashboard-page") == 1, "the page's content is rendered once"

    risks.update_risk(risk, {"title": "Renamed"}, None, expected_version=risk.version)
    pages = [reader.get("/").get_data(as_text=True) for reader in readers]
    assert computations(app) == 2 and computations(app, "dashboard-page") == 2
    assert all("Renamed" in page for page in pages)


@pytest.mark.app_config(JIRA_URL="https://jira.example.com")
def test_each_role_gets_its_own_rendering_of_the_shared_figures(app, factory, risk, payments):
    viewer = signed_in_client(app, factory.user(role="viewer"))
    admin = signed_in_client(app, factory.user(role="admin", teams=[payments]))
    assert 'href="/jira/syncs"' not in viewer.get("/").get_data(as_text=True)
    assert 'href="/jira/syncs"' in admin.get("/").get_data(as_text=True)
    assert computations(app) == 1 and computations(app, "dashboard-page") == 2


def test_the_page_and_the_api_share_the_figures(app, factory, risk, viewer_client, viewer):
    token = _token_for(viewer)
    viewer_client.get("/")
    answer = app.test_client().get(
        "/api/v1/dashboard", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    assert [r["key"] for r in answer.get_json()["ranking"]] == [risk.key]
    assert computations(app) == 1


def test_each_team_view_has_its_own_figures(app, factory, risk, viewer_client):
    factory.risk(team=factory.team("search", "Search"), title="Search index in one node")
    everyone = viewer_client.get("/").get_data(as_text=True)
    search = viewer_client.get("/?team=search").get_data(as_text=True)
    assert "Primary database in one zone" in everyone
    assert "Primary database in one zone" not in search.split("Needs attention")[0]
    assert computations(app) == 2


def test_figures_are_computed_again_when_the_clock_moves_on(app, risk, viewer_client, clock):
    viewer_client.get("/")
    viewer_client.get("/")
    clock.advance(minutes=1)
    viewer_client.get("/")
    assert computations(app) == 2


def test_readers_missing_together_wait_for_one_computation():
    cache = FiguresCache("secret", "test:")
    cache.shared = None
    started, release = threading.Event(), threading.Event()
    calls = []

    def compute():
        calls.append(1)
        started.set()
        release.wait(5)
        return {"figures": 1}

    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(cache._read_through(cache.memory, "k", compute))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    started.wait(5)
    release.set()
    for thread in threads:
        thread.join(5)
    assert calls == [1] and results == [{"figures": 1}] * 6


def test_an_entry_with_a_bad_signature_is_computed_again():
    cache = FiguresCache("secret", "test:")
    cache._read_through(cache.memory, "test:k", lambda: "right")
    cache.memory.set("test:k", b"x" * 32 + b"forged")
    assert cache._read_through(cache.memory, "test:k", lambda: "again") == "again"


def test_the_memory_store_keeps_the_most_recently_used_entries():
    store = MemoryStore(capacity=2)
    store.set("a", b"1")
    store.set("b", b"2")
    store.get("a")
    store.set("c", b"3")
    assert (store.get("a"), store.get("b"), store.get("c")) == (b"1", None, b"3")


def test_the_memory_store_holds_at_most_its_bytes_the_most_recent_first():
    store = MemoryStore(max_bytes=10)
    store.set("a", b"1234")
    store.set("b", b"5678")
    store.set("a", b"12")  # replacing an entry counts its new size only
    store.set("c", b"abcd")
    assert (store.get("a"), store.get("b"), store.get("c")) == (b"12", b"5678", b"abcd")
    store.set("d", b"efgh")  # 14 bytes: the two least recently read go
    assert [store.get(key) for key in "abcd"] == [None, None, b"abcd", b"efgh"]
    assert store.size == 8


def test_an_entry_bigger_than_the_memory_store_is_not_kept():
    store = MemoryStore(max_bytes=4)
    store.set("a", b"12")
    store.set("big", b"123456")
    assert (store.get("a"), store.get("big"), store.size) == (None, None, 0)


def test_a_cache_url_that_is_not_redis_refuses_to_start(database_url):
    with pytest.raises(Exception, match="CACHE_URL must be a Redis URL"):
        create_app(make_test_config(database_url, CACHE_URL="memcached://127.0.0.1:11211"))


# Redis -------------------------------------------------------------------------------------


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis answers at 127.0.0.1:6379 (.ci/run starts one)")
    return client


@pytest.fixture
def redis_prefix():
    client = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}:"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_processes_share_figures_through_redis(app_config, risk, viewer, redis_prefix):
    settings = {**app_config, "CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix}
    first, second = create_app(settings), create_app(settings)
    with first.app_context():
        assert "Primary database" in signed_in_client(first, viewer).get("/").get_data(as_text=True)
    with second.app_context():
        assert "Primary database" in signed_in_client(second, viewer).get("/").get_data(
            as_text=True
        )
    assert (computations(first), computations(second)) == (1, 0)
    assert _redis_or_skip().keys(f"{redis_prefix}*")


def test_without_redis_the_dashboard_still_answers(app_config, risk, viewer):
    down = create_app({**app_config, "CACHE_URL": f"redis://127.0.0.1:{_closed_port()}/0"})
    client = signed_in_client(down, viewer)
    with down.app_context():
        assert client.get("/").status_code == 200
    with down.app_context():
        assert client.get("/").status_code == 200
    assert computations(down) == 1, "the figures were kept in the process's memory"


def test_when_redis_goes_away_the_dashboard_still_answers(app_config, risk, viewer, redis_prefix):
    import redis

    served = create_app({**app_config, "CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix})
    client = signed_in_client(served, viewer)
    with served.app_context():
        assert client.get("/").status_code == 200
    served.extensions[figures_cache.EXTENSION].shared.client = redis.Redis(
        port=_closed_port(), socket_connect_timeout=0.5
    )
    risks.update_risk(risk, {"title": "Renamed"}, None, expected_version=risk.version)
    with served.app_context():
        page = client.get("/")
    assert page.status_code == 200 and "Renamed" in page.get_data(as_text=True)


def _token_for(user) -> str:
    from tracker.api.tokens import create_token

    return create_token(user, "cache test")[1]
