"""API fixtures: clients that send a bearer token for a user of each role."""

from __future__ import annotations

import pytest

from tracker.api import tokens


class ApiClient:
    """The test client with `Authorization: Bearer <token>` on every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def open(self, method: str, path: str, headers: dict | None = None, **kwargs):
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.open("DELETE", path, **kwargs)


def token_for(user) -> str:
    return tokens.create_token(user, "tests")[1]


@pytest.fixture
def api_as(app):
    """api_as(user) -> a client sending a new token of that user."""
    return lambda user: ApiClient(app.test_client(), token_for(user))


@pytest.fixture
def admin_api(api_as, admin):
    return api_as(admin)


@pytest.fixture
def manager_api(api_as, manager):
    return api_as(manager)


@pytest.fixture
def viewer_api(api_as, viewer):
    return api_as(viewer)


def assert_problem(response, status: int) -> dict:
    """The response is problem JSON with this status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body
