"""The shared loaders (`risk_or_404`, `mitigation_or_404`) and the `?team=` filter."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from tests.conftest import signed_in_client
from tracker.extensions import db
from tracker.mitigations.queries import MAX_ID, mitigation_or_404
from tracker.risks.queries import risk_by_key, risk_or_404
from tracker.team_filter import requested_slug, requested_team


def test_risk_or_404_finds_a_risk_by_its_key(factory):
    risk = factory.risk(title="Primary database in one zone")

    assert risk_or_404(risk.key) is risk


@pytest.mark.parametrize("key", ["RISK-999", "RISK-", "risk-x", "12", "RISK-1; DROP"])
def test_risk_or_404_refuses_unknown_and_malformed_keys(factory, key):
    factory.risk()

    with pytest.raises(NotFound) as refused:
        risk_or_404(key)
    assert key in refused.value.description
    assert risk_by_key(key) is None


def test_mitigation_or_404_refuses_ids_no_mitigation_can_have(app):
    for mitigation_id in (0, -1, MAX_ID + 1, 2**64):
        with pytest.raises(NotFound):
            mitigation_or_404(mitigation_id)


def test_team_filter_normalises_the_slug_and_finds_the_team(factory):
    team = factory.team("payments", "Payments")

    chosen = requested_team({"team": "  Payments "})

    assert chosen.slug == "payments"
    assert chosen.team == team
    assert not chosen.unknown


def test_team_filter_says_when_a_slug_names_no_team(factory):
    factory.team("payments", "Payments")

    chosen = requested_team({"team": "nope"})

    assert chosen.team is None
    assert chosen.unknown
    assert not requested_team({}).unknown
    assert requested_slug({}) == ""


def test_a_page_for_an_unknown_risk_names_the_key(admin_client):
    response = admin_client.get("/risks/RISK-404")

    assert response.status_code == 404
    assert b"RISK-404" in response.data


def test_my_teams_reads_the_team_filter_case_insensitively(app, manager, payments, search):
    manager.teams.append(search)
    db.session.commit()

    response = signed_in_client(app, manager).get(f"/my-teams?team={payments.slug.upper()}")

    assert response.status_code == 200
    assert f"Open work of {payments.name}:".encode() in response.data
