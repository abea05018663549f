"""Simultaneous writes through a real HTTP server, a thread per request: nothing is lost,
nothing is duplicated, and nobody is refused for a race they did not choose to lose.

Runs on the test database (SQLite by default, PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from tests.api.conftest import token_for
from tests.helpers import serving
from tracker.extensions import db
from tracker.models import Mitigation, Risk

CREATES = 120
EDITS = 40
CLIENTS = 12


@pytest.fixture
def api(app, admin, factory):
    """Call the served API as the admin: api(method, path, json=…, if_match=…) -> response."""
    factory.team("payments", "Payments")
    token = token_for(admin)
    with serving(app) as base, requests.Session() as session:
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=CLIENTS))

        def call(method: str, path: str, json=None, if_match: str | None = None):
            headers = {"Authorization": f"Bearer {token}"}
            if if_match is not None:
                headers["If-Match"] = if_match
            return session.request(method, base + path, json=json, headers=headers, timeout=60)

        yield call


def all_at_once(jobs):
    """Run the jobs CLIENTS at a time; their responses in order."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda job: job(), jobs))


def refused(responses, expected: int) -> list[tuple[int, str]]:
    return [(r.status_code, r.text[:200]) for r in responses if r.status_code != expected]


def new_risk(n: int) -> dict:
    return {
        "title": f"Concurrent risk {n}",
        "category": "infrastructure",
        "team": "payments",
        "likelihood": 3,
        "impact": 3,
    }


def stored_risks() -> list[tuple[int, str]]:
    db.session.expire_all()
    return sorted(db.session.execute(sa.select(Risk.number, Risk.title)).all())


def test_simultaneous_creates_all_succeed_with_distinct_consecutive_keys(api):
    jobs = [lambda n=n: api("POST", "/api/v1/risks", new_risk(n)) for n in range(CREATES)]
    responses = all_at_once(jobs)

    assert refused(responses, 201) == []
    keys = {r.json()["key"] for r in responses}
    assert keys == {f"RISK-{n}" for n in range(1, CREATES + 1)}
    titles = sorted(title for _, title in stored_risks())
    assert titles == sorted(new_risk(n)["title"] for n in range(CREATES))
    assert all(api("GET", r.headers["Location"]).status_code == 200 for r in responses[::10])


def test_simultaneous_edits_of_different_risks_all_succeed(api):
    created = all_at_once(
        [lambda n=n: api("POST", "/api/v1/risks", new_risk(n)) for n in range(EDITS)]
    )
    jobs = [
        lambda r=r: api(
            "PATCH",
            f"/api/v1/risks/{r.json()['key']}",
            {"description": f"Edited {r.json()['key']}"},
            if_match=r.headers["ETag"],
        )
        for r in created
    ]
    responses = all_at_once(jobs)

    assert refused(responses, 200) == []
    db.session.expire_all()
    descriptions = db.session.execute(sa.select(Risk.number, Risk.description)).all()
    assert all(text == f"Edited RISK-{number}" for number, text in descriptions)


def test_simultaneous_overwrites_with_if_match_star_all_land(api):
    key = api("POST", "/api/v1/risks", new_risk(0)).json()["key"]
    mitigation = api(
        "POST",
        f"/api/v1/risks/{key}/mitigations",
        {"title": "Standby", "team": "payments", "due_date": "2026-06-01"},
    ).json()
    path = f"/api/v1/mitigations/{mitigation['id']}"
    jobs = [
        lambda n=n: api("PATCH", path, {"note": f"note {n}"}, if_match="*") for n in range(EDITS)
    ]
    responses = all_at_once(jobs)

    assert refused(responses, 200) == []
    db.session.expire_all()
    notes = db.session.get(Mitigation, mitigation["id"]).notes.splitlines()
    assert sorted(line.split(": ", 1)[1] for line in notes) == sorted(
        f"note {n}" for n in range(EDITS)
    )


def test_simultaneous_mitigations_on_one_risk_are_all_added(api):
    key = api("POST", "/api/v1/risks", new_risk(0)).json()["key"]
    jobs = [
        lambda n=n: api(
            "POST",
            f"/api/v1/risks/{key}/mitigations",
            {
                "title": f"Step {n}",
                "team": "payments",
                "due_date": "2026-06-01",
                "status": "in_progress",
            },
        )
        for n in range(EDITS)
    ]
    responses = all_at_once(jobs)

    assert refused(responses, 201) == []
    db.session.expire_all()
    titles = db.session.scalars(sa.select(Mitigation.title)).all()
    assert sorted(titles) == sorted(f"Step {n}" for n in range(EDITS))


def test_a_burst_of_wrong_passwords_gets_exactly_the_limits_checks(app, admin, monkeypatch):
    from tracker.accounts import services as accounts

    checks = []
    real = accounts.password_matches

    def counted(user, password):
        checks.append(password)
        return real(user, password)

    monkeypatch.setattr(accounts, "password_matches", counted)
    email = admin.email
    with serving(app) as base:
        attempts = [
            lambda n=n: requests.post(
                f"{base}/login",
                data={"email": email, "password": f"wrong-{n}"},
                timeout=60,
                allow_redirects=False,
            )
            for n in range(CLIENTS)
        ]
        responses = all_at_once(attempts)

    assert all(r.status_code < 500 for r in responses)
    assert len(checks) == app.config["LOGIN_FAILURES_PER_ACCOUNT"]
