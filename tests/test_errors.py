"""Error pages in the site's layout."""

from __future__ import annotations

import pytest


def test_404_page_is_in_the_layout(viewer_client):
    response = viewer_client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not Found" in page
    assert 'class="topbar"' in page, "rendered inside the site's layout"


def test_403_page_explains_the_role(viewer_client):
    response = viewer_client.get("/admin/users")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Only an admin can use this page; you are signed in as a viewer." in page


def test_405_names_the_allowed_methods(viewer_client):
    response = viewer_client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.fixture
def broken_page(app):
    def explode():
        raise RuntimeError("database password=hunter2 leaked?")

    app.add_url_rule("/explode", "explode", explode)


def test_unexpected_error_shows_the_500_page_without_details(broken_page, viewer_client, caplog):
    response = viewer_client.get("/explode")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "hunter2" not in page
    assert "RuntimeError" in caplog.text, "the error is logged for the operators"


def test_api_errors_are_problem_json(viewer_client):
    response = viewer_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404
