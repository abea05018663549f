"""The health check used by load balancers."""

from __future__ import annotations

from tests.conftest import make_test_config
from tracker import create_app


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_needs_no_sign_in(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    # A PostgreSQL port nobody listens on: the connection is refused at once.
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    app = create_app(make_test_config(url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "nobody" not in response.get_data(as_text=True), "no connection details leak"
