"""The import page: upload, dry run, import; errors shown with line and column."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa

from tracker import import_page
from tracker.extensions import db
from tracker.models import Risk

GOOD = (
    "title,category,team,likelihood,impact\n"
    "Primary database in one zone,infrastructure,payments,Likely,Major\n"
    "Certificate renewed by hand,security,payments,2,4\n"
)
BAD = GOOD + "Queue backs up,capacity,nowhere,7,3\n"


def upload(client, text: str, dry_run: bool = True, filename: str = "register.csv"):
    # As a browser sends it: the button's name and value too.
    data = {"file": (io.BytesIO(text.encode("utf-8")), filename), "submit": "Check file"}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/risks/import", data=data, content_type="multipart/form-data")


def risk_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Risk))


def test_dry_run_lists_what_would_happen_and_writes_nothing(manager_client, payments):
    response = upload(manager_client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dry run — nothing written yet." in page and "2 to create" in page
    assert "Primary database in one zone" in page
    assert risk_count() == 0


def test_confirming_the_dry_run_imports_the_same_file(manager_client, payments):
    page = upload(manager_client, GOOD).get_data(as_text=True)
    carried = html.unescape(re.search(r'name="content" value="([^"]*)"', page).group(1))
    assert carried == GOOD, "the dry run carries the file over to the import button"
    response = manager_client.post("/risks/import", data={"content": carried})
    assert response.status_code == 302
    assert risk_count() == 2


def test_import_without_dry_run_writes_at_once(manager_client, payments):
    assert upload(manager_client, GOOD, dry_run=False).status_code == 302
    assert risk_count() == 2


def test_a_file_with_errors_writes_nothing_and_shows_each_line_and_column(manager_client, payments):
    response = upload(manager_client, BAD, dry_run=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in page
    assert re.search(r'data-label="Line">4</td><td data-label="Column">team</td>', page)
    assert re.search(r'data-label="Line">4</td><td data-label="Column">likelihood</td>', page)
    assert risk_count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_advice(manager_client, payments):
    data = {"file": (io.BytesIO("title\nCaf\xe9".encode("latin-1")), "r.csv"), "dry_run": "y"}
    response = manager_client.post("/risks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_no_file_chosen_is_refused(manager_client, payments):
    response = manager_client.post("/risks/import", data={"dry_run": "y"})
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_viewers_cannot_import(viewer_client, payments):
    assert viewer_client.get("/risks/import").status_code == 403
    assert upload(viewer_client, GOOD, dry_run=False).status_code == 403
    assert risk_count() == 0


def test_the_sample_file_is_served(viewer_client):
    response = viewer_client.get("/static/samples/risks.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("title,description,category,")


def test_unknown_columns_are_a_warning_on_the_page_and_the_rest_imports(manager_client, payments):
    text = GOOD.replace("impact\n", "impact,Colour\n", 1)
    response = upload(manager_client, text, dry_run=False)
    assert response.status_code == 302
    assert risk_count() == 2


def test_strict_box_refuses_unknown_columns(manager_client, payments):
    text = GOOD.replace("impact\n", "impact,Colour\n", 1)
    data = {"file": (io.BytesIO(text.encode()), "r.csv"), "strict": "y"}
    response = manager_client.post("/risks/import", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown column &#39;Colour&#39;." in page
    assert risk_count() == 0


def test_dry_run_warns_once_and_shows_what_created_rows_hold(manager_client, payments):
    text = GOOD.replace("impact\n", "impact,Colour,Size\n", 1)
    page = upload(manager_client, text).get_data(as_text=True)
    assert page.count("Ignored 2 column(s)") == 1
    confirm = page.split("Import 2 changes")[0].split("<form")[-1]
    assert 'name="content"' in confirm and 'name="strict"' not in confirm
    assert "<em>team</em>: <code>payments</code>" in page, "a created row shows what it holds"


def test_admin_imports_the_sample_on_a_fresh_install_creating_its_teams(admin_client):
    sample = admin_client.get("/static/samples/risks.csv").get_data(as_text=True)
    data = {"file": (io.BytesIO(sample.encode()), "risks.csv"), "create_teams": "y"}
    response = admin_client.post("/risks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert risk_count() == 9


def test_managers_are_not_offered_team_creation(manager_client, payments):
    page = manager_client.get("/risks/import").get_data(as_text=True)
    assert "create_teams" not in page
    data = {"file": (io.BytesIO(BAD.encode()), "r.csv"), "create_teams": "y"}
    response = manager_client.post("/risks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert risk_count() == 0


def test_a_file_over_the_upload_limit_is_refused_saying_the_limit(manager_client, payments):
    manager_client.application.config["MAX_CONTENT_LENGTH"] = 1_048_576
    text = GOOD + "Big,capacity,payments,2,3\n" * 50_000
    response = upload(manager_client, text)
    assert response.status_code == 413
    assert "larger than the limit of 1 MB" in response.get_data(as_text=True)
    assert risk_count() == 0


def test_a_file_over_the_row_limit_is_refused_saying_the_limit(manager_client, payments):
    manager_client.application.config["IMPORT_MAX_ROWS"] = 1
    response = upload(manager_client, GOOD)
    assert response.status_code == 400
    assert "more than 1 risks; import at most 1 at a time" in response.get_data(as_text=True)


def test_a_long_dry_run_shows_its_first_lines_and_counts_the_rest(
    manager_client, payments, monkeypatch
):
    monkeypatch.setattr(import_page, "ROWS_SHOWN", 1)
    page = upload(manager_client, GOOD).get_data(as_text=True)
    assert "2 to create" in page, "the counts cover every line"
    assert "Primary database in one zone" in page
    assert "Certificate renewed by hand" not in page.split('name="content"')[0]
    assert "The first 1 lines are shown; 1 more are not." in page
    carried = html.unescape(re.search(r'name="content" value="([^"]*)"', page).group(1))
    assert carried == GOOD, "the import button still carries every line"


def test_a_file_with_many_problems_shows_the_first_and_counts_the_rest(
    manager_client, payments, monkeypatch
):
    monkeypatch.setattr(import_page, "ROWS_SHOWN", 1)
    text = BAD + "Disk fills,capacity,nowhere,8,3\n"
    page = upload(manager_client, text, dry_run=False).get_data(as_text=True)
    assert page.count('<td data-label="Problem">') == 1
    assert "more are not." in page and "fix these" in page
