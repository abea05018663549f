"""A residual score that nobody has assessed yet: stored as NULL, entered as "Not assessed" on
the form, as empty cells in a CSV file and as null in the API, and shown as such everywhere."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from tests.test_risks import form_data, make_risk
from tracker.extensions import db
from tracker.models import Risk
from tracker.reviews import services as review_services
from tracker.risks import services
from tracker.risks.csv_export import export_all
from tracker.risks.csv_import import apply_import, plan_import

NOT_ASSESSED = "not assessed"
UNASSESSED = {"residual_likelihood": None, "residual_impact": None}


def only_risk() -> Risk:
    return db.session.scalar(sa.select(Risk))


def residual_of(risk: Risk) -> tuple:
    return (risk.residual_likelihood, risk.residual_impact, risk.residual_score)


# The form --------------------------------------------------------------------------------------


def test_the_new_risk_form_starts_with_nothing_chosen(manager_client, payments):
    page = manager_client.get("/risks/new").get_data(as_text=True)
    for name, first in (
        ("likelihood", "Choose…"),
        ("impact", "Choose…"),
        ("residual_likelihood", "Not assessed"),
        ("residual_impact", "Not assessed"),
    ):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
        assert options[0][1] == first and 'value=""' in options[0][0], name
        assert not any("selected" in attrs for attrs, _ in options[1:]), name
    assert re.search(r'<select[^>]*name="likelihood"[^>]*required', page)


def test_a_risk_saved_without_residual_levels_is_not_assessed(manager_client, payments):
    data = form_data(residual_likelihood="", residual_impact="")
    assert manager_client.post("/risks/new", data=data).status_code == 302
    risk = only_risk()
    assert residual_of(risk) == (None, None, None)
    for path in ("/risks", f"/risks/{risk.key}"):
        page = manager_client.get(path).get_data(as_text=True)
        assert NOT_ASSESSED in page
        assert "1 · low" not in page


@pytest.mark.parametrize("name", ["likelihood", "impact"])
def test_an_inherent_level_left_on_choose_is_refused_with_the_products_message(
    manager_client, payments, name
):
    response = manager_client.post("/risks/new", data=form_data(**{name: ""}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"Give the {name} (1 to 5)." in page
    assert "Not a valid choice" not in page
    assert 'value="Primary database in one zone"' in page  # the input is kept
    assert only_risk() is None


def test_one_residual_level_without_the_other_is_refused(manager_client, payments):
    response = manager_client.post("/risks/new", data=form_data(residual_impact=""))
    assert response.status_code == 400
    assert "Give the residual impact too" in response.get_data(as_text=True)
    assert only_risk() is None


def test_setting_an_assessed_residual_back_to_not_assessed_needs_a_reason(
    manager_client, payments, manager
):
    risk = make_risk(payments, manager)
    data = form_data(risk, residual_likelihood="", residual_impact="")
    assert manager_client.post(f"/risks/{risk.key}/edit", data=data).status_code == 400
    data["reason"] = "The replica plan was dropped"
    assert manager_client.post(f"/risks/{risk.key}/edit", data=data).status_code == 302
    assert residual_of(risk) == (None, None, None)
    page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert "from <strong>1</strong> to <strong>not assessed</strong>" in page


def test_the_edit_form_shows_a_residual_not_assessed_as_such(manager_client, payments, manager):
    risk = make_risk(payments, manager, **UNASSESSED)
    page = manager_client.get(f"/risks/{risk.key}/edit").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="residual_likelihood".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="">Not assessed</option>', select)


def test_the_score_chart_leaves_a_gap_while_the_residual_is_not_assessed(
    manager_client, payments, manager
):
    risk = make_risk(payments, manager, **UNASSESSED)
    page = manager_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert 'class="line residual"' in page
    assert "residual not assessed;" in page
    assert "<td>not assessed</td>" in page


# CSV -------------------------------------------------------------------------------------------


def test_import_and_form_agree_empty_residual_cells_are_not_assessed(payments):
    text = (
        "title,category,team,likelihood,impact,residual_likelihood,residual_impact\n"
        "Queue fills up,capacity,payments,4,3,,\n"
    )
    plan = plan_import(text)
    assert plan.valid, plan.errors
    apply_import(plan, None)
    assert residual_of(only_risk()) == (None, None, None)


def test_an_import_row_with_empty_residual_cells_clears_an_assessed_residual(payments):
    risk = make_risk(payments)
    text = (
        "key,title,category,team,likelihood,impact,residual_likelihood,residual_impact\n"
        f"{risk.key},{risk.title},infrastructure,payments,3,4,,\n"
    )
    plan = plan_import(text)
    assert plan.valid, plan.errors
    assert [name for name, _, _ in plan.rows[0].changes] == [
        "residual_likelihood",
        "residual_impact",
    ]
    apply_import(plan, None)
    assert residual_of(risk) == (None, None, None)


def test_export_writes_empty_residual_cells_and_reimports_unchanged(payments):
    make_risk(payments, **UNASSESSED)
    out = io.StringIO()
    export_all(out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["residual_likelihood"], row["residual_impact"], row["residual_score"]) == (
        "",
        "",
        "",
    )
    plan = plan_import(out.getvalue())
    assert plan.valid, plan.errors
    assert plan.counts.unchanged == 1


# API -------------------------------------------------------------------------------------------


def test_the_openapi_document_says_residuals_may_be_null(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    detail = next(schema for name, schema in schemas.items() if name.startswith("RiskDetail"))
    residual = detail["properties"]["residual_score"]
    assert {"type": "null"} in residual.get("anyOf", []), residual
    create = next(schema for name, schema in schemas.items() if name.startswith("RiskCreate"))
    assert "not assessed" in create["properties"]["residual_likelihood"]["description"]


# Reviews ---------------------------------------------------------------------------------------


def test_a_review_snapshot_keeps_a_residual_not_assessed(admin, admin_client, payments):
    make_risk(payments, **UNASSESSED)
    review = review_services.start_review(admin)
    page = admin_client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "residual not assessed" in page
    rows = list(csv.DictReader(io.StringIO(admin_client.get(f"/reviews/{review.id}.csv").text)))
    assert (rows[0]["residual_score"], rows[0]["residual_band"]) == ("", "")


def test_a_first_residual_assessment_is_a_residual_mover(admin, payments, clock):
    risk = make_risk(payments, **UNASSESSED)
    clock.advance(hours=1)
    review_services.finish_review(review_services.start_review(admin), admin)
    clock.advance(days=7)
    services.update_risk(
        risk,
        {"residual_likelihood": 1, "residual_impact": 4},
        admin,
        expected_version=risk.version,
        reason="Replica planned",
    )
    changes = json.loads(review_services.start_review(admin).changes)
    [mover] = changes["movers"]
    assert (mover["score_kind"], mover["old_score"], mover["new_score"]) == ("residual", None, 4)
