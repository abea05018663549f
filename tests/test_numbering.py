"""Key series (tracker/numbering.py): every key issued resolves, none is issued twice, none
past the bound the routes accept, and a create that fails gives its number back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api.conftest import ApiClient, token_for
from tracker.extensions import db
from tracker.models import KeyCounter, Risk
from tracker.numbering import MAX_NUMBER
from tracker.risks import services
from tracker.risks.keys import RISK_KEYS
from tracker.validation import ValidationError


def new_risk(title: str = "Disk fills up") -> dict:
    return {
        "title": title,
        "category": "infrastructure",
        "team": "payments",
        "likelihood": 3,
        "impact": 3,
    }


def set_counter(last: int) -> None:
    db.session.merge(KeyCounter(series="risks", last_number=last))
    db.session.commit()


def counter() -> int:
    db.session.expire_all()
    return db.session.get(KeyCounter, "risks").last_number


def risk_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Risk.id)))


@pytest.mark.parametrize("number", [1, 12, MAX_NUMBER])
def test_every_key_the_series_can_issue_parses_back(number):
    assert RISK_KEYS.parse(RISK_KEYS.format(number)) == number


@pytest.mark.parametrize("text", ["RISK-0", f"RISK-{MAX_NUMBER + 1}", "RISK-", "INC-3", "RISK-1x"])
def test_texts_that_are_no_issuable_key_do_not_parse(text):
    assert RISK_KEYS.parse(text) is None


def test_the_last_key_of_the_series_resolves_on_the_page_and_the_api(
    app, admin, admin_client, payments
):
    set_counter(MAX_NUMBER - 1)
    risk = services.create_risk(new_risk(), admin)
    assert risk.key == f"RISK-{MAX_NUMBER}"
    api = ApiClient(app.test_client(), token_for(admin))
    assert admin_client.get(f"/risks/{risk.key}").status_code == 200
    assert api.get(f"/api/v1/risks/{risk.key}").status_code == 200


def test_an_exhausted_series_refuses_the_create_and_writes_nothing(admin, payments):
    set_counter(MAX_NUMBER)
    with pytest.raises(ValidationError) as refused:
        services.create_risk(new_risk(), admin)
    assert "RISK-999999999 has been given out" in refused.value.errors["key"]
    assert (risk_count(), counter()) == (0, MAX_NUMBER)


def test_the_api_refuses_an_exhausted_series_before_writing(app, admin, payments):
    set_counter(MAX_NUMBER)
    api = ApiClient(app.test_client(), token_for(admin))
    response = api.post("/api/v1/risks", json=new_risk())
    assert response.status_code == 422
    assert "key" in response.get_json()["errors"]
    assert risk_count() == 0


def test_a_create_that_fails_after_taking_its_number_gives_it_back(admin, payments, monkeypatch):
    services.create_risk(new_risk("First"), admin)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.history, "record", fail)
    with pytest.raises(RuntimeError):
        services.create_risk(new_risk("Second"), admin)
    monkeypatch.undo()
    assert (risk_count(), counter()) == (1, 1)
    assert services.create_risk(new_risk("Third"), admin).number == 2


def test_numbering_continues_after_numbers_stored_behind_the_counters_back(admin, payments):
    risk = services.create_risk(new_risk("First"), admin)
    risk.number = 40  # e.g. restored from an older backup, or fixed by hand
    db.session.commit()
    set_counter(3)
    assert services.create_risk(new_risk("Next"), admin).number == 41


def test_a_series_without_a_counter_row_starts_one(admin, payments):
    db.session.execute(sa.delete(KeyCounter))
    db.session.commit()
    assert services.create_risk(new_risk(), admin).number == 1
    assert counter() == 1
