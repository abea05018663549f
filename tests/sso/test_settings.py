"""Single sign-on settings are checked at start-up, and groups map to roles and teams."""

from __future__ import annotations

import pytest

from tracker import ConfigurationError, create_app
from tracker.config import settings_from_environment
from tracker.domain.groups import groups_from_claim, role_from_groups, team_slugs_from_groups

GOOD = {
    "OIDC_ISSUER": "https://company.okta.com",
    "OIDC_CLIENT_ID": "0oa1",
    "OIDC_CLIENT_SECRET": "very-secret-client-secret",
}


def start(tmp_path, **settings):
    return create_app(
        {
            "SECRET_KEY": "k" * 40,
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db",
            **settings,
        }
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PASSWORD_LOGIN": "sometimes"}, "PASSWORD_LOGIN must be on, admins-only or off"),
        ({"PASSWORD_LOGIN": "off"}, "PASSWORD_LOGIN=off needs single sign-on"),
        ({"PASSWORD_LOGIN": "admins-only"}, "PASSWORD_LOGIN=admins-only needs single sign-on"),
        ({**GOOD, "OIDC_ISSUER": "http://company.okta.com"}, "must be the provider's https://"),
        ({**GOOD, "OIDC_CLIENT_SECRET": ""}, "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({**GOOD, "OIDC_CLIENT_ID": None}, "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({**GOOD, "OIDC_SCOPES": "email profile"}, "OIDC_SCOPES must include openid"),
        ({**GOOD, "OIDC_TIMEOUT": 0}, "OIDC_TIMEOUT must be positive"),
    ],
)
def test_bad_sign_in_settings_refuse_to_start(tmp_path, settings, message):
    with pytest.raises(ConfigurationError, match=message) as refused:
        start(tmp_path, **settings)
    assert "very-secret-client-secret" not in str(refused.value)


def test_good_settings_start(tmp_path):
    app = start(tmp_path, **GOOD, PASSWORD_LOGIN="admins-only")

    assert app.config["OIDC_SCOPES"] == "openid email profile"


def test_sign_in_settings_come_from_the_environment():
    settings = settings_from_environment(
        {**GOOD, "PASSWORD_LOGIN": "off", "OIDC_TIMEOUT": "3.5", "OIDC_CLOCK_LEEWAY_SECONDS": "60"}
    )

    assert settings["PASSWORD_LOGIN"] == "off"
    assert settings["OIDC_TIMEOUT"] == 3.5
    assert settings["OIDC_CLOCK_LEEWAY_SECONDS"] == 60


def test_role_from_groups_prefers_admin_then_manager():
    assert role_from_groups(["a", "m"], {"a"}, {"m"}) == "admin"
    assert role_from_groups(["m", "x"], {"a"}, {"m"}) == "manager"
    assert role_from_groups(["x"], {"a"}, {"m"}) == "viewer"
    assert role_from_groups([], {"a"}, {"m"}) == "viewer"


def test_team_slugs_come_from_prefixed_groups():
    groups = [
        "avail-team-payments",
        "Avail-Team-Search",
        "avail-team-",
        "payments",
        "x-avail-team-y",
    ]

    assert team_slugs_from_groups(groups, "avail-team-") == ["payments", "search"]


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        (["b", "a", " a "], ["a", "b"]),
        ("solo", ["solo"]),
        ([], []),
        (None, None),
        ({"_claim_names": "overage"}, None),
        (["a", 3], None),
    ],
)
def test_groups_claim_is_read_as_a_list_and_absent_differs_from_empty(claim, groups):
    assert groups_from_claim(claim) == groups
