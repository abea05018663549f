"""The same sign-in against an OpenID provider written by someone else: oidc-provider-mock
(PyPI), served on 127.0.0.1. What one provider implementation lets through, another must too."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.conftest import SsoActions
from tracker.extensions import db
from tracker.models import User

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

# The provider's own use of Authlib's server side, not the tracker's.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


class ThirdPartyProvider:
    """oidc-provider-mock on a free port, with this suite's approve() helper."""

    def __init__(self):
        self.server = make_server(
            "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{quote(sub)}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def approve(self, authorize_url: str, sub: str) -> str:
        response = requests.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@pytest.fixture
def third_party(app):
    provider = ThirdPartyProvider()
    provider.thread.start()
    app.config.update(
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID="risk-tracker",
        OIDC_CLIENT_SECRET="any-secret-will-do",
        OIDC_MANAGER_GROUPS="eng-managers",
        OIDC_TEAM_GROUP_PREFIX="avail-team-",
    )
    yield provider
    provider.server.shutdown()
    provider.thread.join(timeout=10)


def test_first_sign_in_through_oidc_provider_mock_creates_the_user_from_groups(
    client, third_party, factory
):
    factory.team("payments", "Payments")
    third_party.set_user(
        "ada", email="ada@example.com", name="Ada", groups=["eng-managers", "avail-team-payments"]
    )

    response = SsoActions(client, third_party).sign_in("ada")

    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location == "/"
    user = db.session.scalar(sa.select(User).where(User.oidc_subject == "ada"))
    assert (user.email, user.role) == ("ada@example.com", "manager")
    assert [team.slug for team in user.teams] == ["payments"]
