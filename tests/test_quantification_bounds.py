"""Extreme numbers for a risk's quantification are refused, with the same message, wherever
they enter (form, API, import): nothing stores an infinite or absurd bad_minutes_per_year."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api.conftest import ApiClient, token_for
from tests.test_risks import form_data
from tests.test_risks_csv import csv_text, errors_of
from tracker.extensions import db
from tracker.models import Risk

FINE = {"ettd_minutes": "10", "ettr_minutes": "20", "users_impacted": "0.5", "ettf_days": "30"}
EXTREMES = [
    ("ettf_days", "5e-324", "must lie between 1/1440 (a minute) and 36,525 (a century)"),
    ("ettf_days", "1e308", "must lie between 1/1440 (a minute) and 36,525 (a century)"),
    ("ettd_minutes", "1e308", "can be at most 525,960 (a year)"),
    ("ettr_minutes", "1e308", "can be at most 525,960 (a year)"),
]


@pytest.fixture
def admin_api(app, admin):
    return ApiClient(app.test_client(), token_for(admin))


def stored_risks() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Risk))


@pytest.mark.parametrize(("field", "value", "message"), EXTREMES)
def test_the_form_refuses_extreme_numbers(manager_client, payments, field, value, message):
    response = manager_client.post("/risks/new", data=form_data(**{**FINE, field: value}))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_risks() == 0


@pytest.mark.parametrize(("field", "value", "message"), EXTREMES)
def test_the_api_refuses_extreme_numbers(admin_api, payments, field, value, message):
    body = {
        "title": "Disk fills up",
        "category": "infrastructure",
        "team": "payments",
        "likelihood": 3,
        "impact": 3,
        **{name: float(number) for name, number in {**FINE, field: value}.items()},
    }
    response = admin_api.post("/api/v1/risks", json=body)

    assert response.status_code == 422
    assert message in response.get_json()["errors"][field]
    assert stored_risks() == 0


@pytest.mark.parametrize(("field", "value", "message"), EXTREMES)
def test_the_import_refuses_extreme_numbers_naming_the_row(payments, field, value, message):
    numbers = {**FINE, field: value}
    header = "title,category,team,likelihood,impact," + ",".join(numbers)
    row = "Disk fills up,infrastructure,payments,3,3," + ",".join(numbers.values())

    [(line, column, text)] = errors_of(csv_text(header, row))

    assert (line, column) == (2, field) and message in text


def test_the_widest_accepted_numbers_give_finite_bad_minutes(admin_api, payments):
    body = {
        "title": "Everything, always",
        "category": "infrastructure",
        "team": "payments",
        "likelihood": 5,
        "impact": 5,
        "ettd_minutes": 525_960.0,
        "ettr_minutes": 525_960.0,
        "users_impacted": 1.0,
        "ettf_days": 1 / 1440,
    }
    assert admin_api.post("/api/v1/risks", json=body).status_code == 201
    assert db.session.scalar(sa.select(Risk.bad_minutes_per_year)) < float("inf")
