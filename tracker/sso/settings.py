"""Single sign-on and password sign-in settings, read from the app configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PASSWORD_LOGIN_MODES = ("on", "admins-only", "off")
DISCOVERY_PATH = "/.well-known/openid-configuration"


def _names(text: str | None) -> frozenset[str]:
    return frozenset(name.strip() for name in (text or "").split(",") if name.strip())


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str = "openid email profile"
    provider_name: str = "single sign-on"
    timeout: float = 10.0
    clock_leeway_seconds: int = 120
    groups_claim: str = "groups"
    admin_groups: frozenset[str] = frozenset()
    manager_groups: frozenset[str] = frozenset()
    team_group_prefix: str | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> SsoSettings | None:
        """The settings in force, or None when OIDC_ISSUER is unset (no single sign-on)."""
        issuer = (config.get("OIDC_ISSUER") or "").strip().rstrip("/")
        if not issuer:
            return None
        return cls(
            issuer=issuer,
            client_id=(config.get("OIDC_CLIENT_ID") or "").strip(),
            client_secret=config.get("OIDC_CLIENT_SECRET") or "",
            scopes=" ".join((config.get("OIDC_SCOPES") or "").split()),
            provider_name=(config.get("OIDC_PROVIDER_NAME") or "single sign-on").strip(),
            timeout=float(config.get("OIDC_TIMEOUT", 10.0)),
            clock_leeway_seconds=int(config.get("OIDC_CLOCK_LEEWAY_SECONDS", 120)),
            groups_claim=(config.get("OIDC_GROUPS_CLAIM") or "groups").strip(),
            admin_groups=_names(config.get("OIDC_ADMIN_GROUPS")),
            manager_groups=_names(config.get("OIDC_MANAGER_GROUPS")),
            team_group_prefix=(config.get("OIDC_TEAM_GROUP_PREFIX") or "").strip() or None,
        )

    @property
    def discovery_url(self) -> str:
        return self.issuer + DISCOVERY_PATH

    @property
    def groups_decide_roles(self) -> bool:
        return bool(self.admin_groups or self.manager_groups)

    @property
    def groups_decide_teams(self) -> bool:
        return self.team_group_prefix is not None


def password_login_mode(config: Mapping) -> str:
    """on, admins-only or off (validated at start-up)."""
    return (config.get("PASSWORD_LOGIN") or "on").strip().lower()


def _issuer_problem(issuer: str) -> str | None:
    parts = urlsplit(issuer)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return (
            "OIDC_ISSUER must be the provider's https:// issuer URL "
            f"(e.g. https://company.okta.com), got {issuer!r}."
        )
    return None


def sso_problem(config: Mapping) -> str | None:
    """Say what is wrong with the sign-in settings, or None. Never repeats the client secret."""
    mode = password_login_mode(config)
    if mode not in PASSWORD_LOGIN_MODES:
        return f"PASSWORD_LOGIN must be on, admins-only or off, got {config['PASSWORD_LOGIN']!r}."
    settings = SsoSettings.from_config(config)
    if settings is None:
        if mode != "on":
            return f"PASSWORD_LOGIN={mode} needs single sign-on: set OIDC_ISSUER too."
        return None
    if problem := _issuer_problem(settings.issuer):
        return problem
    if not settings.client_id or not settings.client_secret:
        return "OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too."
    if "openid" not in settings.scopes.split():
        return f"OIDC_SCOPES must include openid, got {settings.scopes!r}."
    if settings.timeout <= 0 or settings.clock_leeway_seconds < 0:
        return "OIDC_TIMEOUT must be positive and OIDC_CLOCK_LEEWAY_SECONDS not negative."
    if not settings.groups_claim:
        return "OIDC_GROUPS_CLAIM cannot be empty."
    return None
