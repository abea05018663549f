"""Configuration: defaults here, overridden by instance/config.py, then by the environment.

Every setting a deployment needs to change can be given as an environment variable of the same
name; instance/config.py is for a single machine (the quick start writes its SECRET_KEY there).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Placeholder values copied from tutorials; a key equal to one of these is treated as missing.
KNOWN_DEFAULT_SECRET_KEYS = frozenset(
    {"", "dev", "development", "secret", "changeme", "change-me", "please-change-me", "test"}
)
MIN_SECRET_KEY_LENGTH = 16

KEY_SETUP_HELP = (
    "Set SECRET_KEY to a long random value, e.g.\n"
    "    export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
    "or put SECRET_KEY = '...' in instance/config.py. For local development only, "
    "TRACKER_ENV=development runs with a throw-away key."
)


class Defaults:
    """Settings every app starts from."""

    TRACKER_ENV = "production"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure is decided per request (see tracker.security) unless forced here.
    SESSION_COOKIE_SECURE = False
    # A CSRF token lives as long as the session, so a form left open over lunch still submits.
    WTF_CSRF_TIME_LIMIT = None

    # Failed sign-ins: per account, and (more generously: offices share addresses) per address.
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    LOGIN_FAILURES_PER_ACCOUNT = 5
    LOGIN_FAILURES_PER_ADDRESS = 20

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0
    # The one line logged per request (tracker.request_log): "json" or "text".
    LOG_FORMAT = "json"
    ADMIN_EMAIL = "admin@example.com"
    # The address people open the tracker at, for links in emails (see tracker.links).
    PUBLIC_URL: str | None = None
    # Uploaded spreadsheets and forms: refuse anything larger (413). 5 MB holds
    # IMPORT_MAX_ROWS rows of about 500 characters.
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # The most rows one CSV import takes; a bigger file is refused before it is checked, so
    # no request holds a worker for long (gunicorn.conf.py's timeout allows for this many).
    IMPORT_MAX_ROWS = 10_000

    # Scoring and the error budget. Levels of None use the defaults in tracker.domain.scoring;
    # to change them give a list of (label, definition) pairs for levels 1 to 5.
    SLO_TARGET = 0.998
    TOO_BIG_TO_ACCEPT_SHARE = 0.25
    RISK_BAND_FLOORS: ClassVar[dict] = {"low": 1, "medium": 5, "high": 10, "critical": 15}
    REVIEW_CADENCE_DAYS: ClassVar[dict] = {"critical": 7, "high": 14, "medium": 30, "low": 90}
    LIKELIHOOD_LEVELS: ClassVar[list | None] = None
    IMPACT_LEVELS: ClassVar[list | None] = None
    RISKS_PER_PAGE = 50
    # The time zone whose calendar decides what "today" is (overdue, due soon, next review).
    TIMEZONE = "UTC"
    # Mitigations due within this many days count as due soon.
    DUE_SOON_DAYS = 14

    # Incident severities, most severe first; an environment variable lists them with commas.
    INCIDENT_SEVERITIES: ClassVar[list] = ["sev1", "sev2", "sev3", "sev4"]
    INCIDENTS_PER_PAGE = 50
    # A resolved incident whose review is not held within this many days is "review overdue".
    INCIDENT_REVIEW_DAYS = 7

    # Jira (see tracker.jira.settings): unset JIRA_URL means no Jira.
    JIRA_URL: str | None = None
    JIRA_USER: str | None = None
    JIRA_TOKEN: str | None = None
    JIRA_PAT: str | None = None
    JIRA_TIMEOUT = 30.0
    JIRA_PROJECT: str | None = None
    JIRA_ISSUE_TYPE = "Task"
    JIRA_BATCH_SIZE = 100
    JIRA_MAX_RETRIES = 3
    JIRA_MAX_RETRY_DELAY = 30.0
    JIRA_LOCK_SECONDS = 600
    JIRA_WONT_DO_RESOLUTIONS: str | None = None
    # Incidents read from Jira (see tracker.jira.incident_settings): unset JQL reads none.
    JIRA_INCIDENT_JQL: str | None = None
    JIRA_INCIDENT_TEAM: str | None = None
    JIRA_INCIDENT_START_FIELD: str | None = None
    JIRA_INCIDENT_END_FIELD: str | None = None
    JIRA_INCIDENT_SEVERITY_MAP: str | None = None
    # The dashboard warns when the last successful sync is older than this.
    JIRA_SYNC_MAX_AGE_HOURS = 24

    # Outgoing mail for `flask digest --send`: unset MAIL_SERVER means no mail. TLS from the
    # first byte when MAIL_USE_SSL (port 465 unless MAIL_PORT says otherwise), else STARTTLS
    # when MAIL_USE_TLS (port 587); a login only when MAIL_USERNAME is set.
    MAIL_SERVER: str | None = None
    MAIL_PORT: int | None = None
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM: str | None = None
    MAIL_USE_TLS = True

    # Where cached dashboard figures are shared between processes: redis://host:6379/0; unset,
    # each process keeps its own (tracker.figures_cache). Keys start with the prefix.
    CACHE_URL: str | None = None
    CACHE_KEY_PREFIX = "tracker:"
    # Adds X-Query-Count (SQL statements run) to every response, for the bench suite only.
    QUERY_COUNT_HEADER = False

    # Single sign-on with OpenID Connect (see tracker.sso.settings): unset OIDC_ISSUER means none.
    OIDC_ISSUER: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_SCOPES = "openid email profile"
    OIDC_PROVIDER_NAME = "single sign-on"
    OIDC_TIMEOUT = 10.0
    # How far the provider's clock may be from ours when checking a token's times.
    OIDC_CLOCK_LEEWAY_SECONDS = 120
    OIDC_GROUPS_CLAIM = "groups"
    # Comma-separated group names; unset means groups do not decide roles.
    OIDC_ADMIN_GROUPS: str | None = None
    OIDC_MANAGER_GROUPS: str | None = None
    # Unset means groups do not decide team memberships.
    OIDC_TEAM_GROUP_PREFIX: str | None = None
    # on, admins-only (break-glass admins) or off.
    PASSWORD_LOGIN = "on"  # noqa: S105 (a mode, not a password)


# Environment variables read as integers; the rest are strings.
_INT_SETTINGS = (
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "PROXY_COUNT",
    "DUE_SOON_DAYS",
    "JIRA_BATCH_SIZE",
    "JIRA_MAX_RETRIES",
    "JIRA_LOCK_SECONDS",
    "JIRA_SYNC_MAX_AGE_HOURS",
    "MAIL_PORT",
    "OIDC_CLOCK_LEEWAY_SECONDS",
    "MAX_CONTENT_LENGTH",
    "IMPORT_MAX_ROWS",
    "INCIDENT_REVIEW_DAYS",
)
_STR_SETTINGS = (
    "SECRET_KEY",
    "TRACKER_ENV",
    "ADMIN_EMAIL",
    "PUBLIC_URL",
    "TIMEZONE",
    "JIRA_URL",
    "JIRA_USER",
    "JIRA_TOKEN",
    "JIRA_PAT",
    "JIRA_PROJECT",
    "JIRA_ISSUE_TYPE",
    "JIRA_WONT_DO_RESOLUTIONS",
    "JIRA_INCIDENT_JQL",
    "JIRA_INCIDENT_TEAM",
    "JIRA_INCIDENT_START_FIELD",
    "JIRA_INCIDENT_END_FIELD",
    "JIRA_INCIDENT_SEVERITY_MAP",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_FROM",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_SCOPES",
    "OIDC_PROVIDER_NAME",
    "OIDC_GROUPS_CLAIM",
    "OIDC_ADMIN_GROUPS",
    "OIDC_MANAGER_GROUPS",
    "OIDC_TEAM_GROUP_PREFIX",
    "PASSWORD_LOGIN",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "LOG_FORMAT",
)
_FLOAT_SETTINGS = (
    "SLO_TARGET",
    "TOO_BIG_TO_ACCEPT_SHARE",
    "JIRA_TIMEOUT",
    "JIRA_MAX_RETRY_DELAY",
    "OIDC_TIMEOUT",
)
# Environment variables read as comma-separated lists.
_LIST_SETTINGS = ("INCIDENT_SEVERITIES",)
_BOOL_SETTINGS = ("MAIL_USE_TLS", "MAIL_USE_SSL", "QUERY_COUNT_HEADER")
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("0", "false", "no", "off")


def settings_from_environment(environ: dict[str, str]) -> dict[str, object]:
    """Return the settings given in `environ`, converted to their types.

    Raises ValueError naming the variable when a number is not a number.
    """
    settings: dict[str, object] = {}
    for name in _STR_SETTINGS:
        if environ.get(name):
            settings[name] = environ[name]
    for name in _INT_SETTINGS:
        if environ.get(name):
            try:
                settings[name] = int(environ[name])
            except ValueError:
                raise ValueError(f"{name} must be a whole number, got {environ[name]!r}") from None
    for name in _FLOAT_SETTINGS:
        if environ.get(name):
            try:
                settings[name] = float(environ[name])
            except ValueError:
                raise ValueError(f"{name} must be a number, got {environ[name]!r}") from None
    for name in _LIST_SETTINGS:
        if environ.get(name):
            settings[name] = [part.strip() for part in environ[name].split(",")]
    for name in _BOOL_SETTINGS:
        if environ.get(name):
            word = environ[name].strip().lower()
            if word not in _TRUE_WORDS + _FALSE_WORDS:
                raise ValueError(f"{name} must be true or false, got {environ[name]!r}")
            settings[name] = word in _TRUE_WORDS
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    return settings


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver, which is the one installed."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_database_url(instance_path: str) -> str:
    """The embedded default: an SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.db")


def secret_key_problem(secret_key: str | None) -> str | None:
    """Say what is wrong with a production secret key, or None when it is acceptable."""
    if not secret_key or secret_key.strip().lower() in KNOWN_DEFAULT_SECRET_KEYS:
        return "SECRET_KEY is missing or is a well-known default."
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is too short (at least {MIN_SECRET_KEY_LENGTH} characters)."
    return None


def scoring_problem(config: dict) -> str | None:
    """Say what is wrong with the scoring settings, or None."""
    from tracker.domain import scoring

    if not 0 < config["SLO_TARGET"] < 1:
        return f"SLO_TARGET must lie between 0 and 1 (e.g. 0.998), got {config['SLO_TARGET']}."
    if not 0 < config["TOO_BIG_TO_ACCEPT_SHARE"] <= 1:
        return "TOO_BIG_TO_ACCEPT_SHARE must lie between 0 and 1 (e.g. 0.25)."
    try:
        scoring.validate_band_floors(config["RISK_BAND_FLOORS"])
    except ValueError as exc:
        return f"RISK_BAND_FLOORS: {exc}."
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        zone = config["TIMEZONE"]
        return f"TIMEZONE must be a time zone name such as Europe/Berlin, got {zone!r}."
    if config["DUE_SOON_DAYS"] < 0:
        return "DUE_SOON_DAYS cannot be negative."
    if set(config["REVIEW_CADENCE_DAYS"]) != set(scoring.BANDS):
        return "REVIEW_CADENCE_DAYS must give days for low, medium, high and critical."
    for name in ("LIKELIHOOD_LEVELS", "IMPACT_LEVELS"):
        levels = config[name]
        if levels is not None and len(levels) != len(scoring.SCALE):
            return f"{name} must list five (label, definition) pairs, for levels 1 to 5."
    return None


def incident_problem(config: dict) -> str | None:
    """Say what is wrong with the incident settings, or None."""
    from tracker.domain.incidents import validate_severities

    try:
        validate_severities(config["INCIDENT_SEVERITIES"])
    except ValueError as exc:
        return f"INCIDENT_SEVERITIES: {exc}."
    if config["INCIDENT_REVIEW_DAYS"] < 0:
        return "INCIDENT_REVIEW_DAYS cannot be negative (e.g. 7)."
    return None


def is_production(config: dict) -> bool:
    """Production is the default; only an explicit development or testing setup is not."""
    return config.get("TRACKER_ENV", "production") != "development" and not config.get("TESTING")


def cache_url_problem(url: str | None) -> str | None:
    """What is wrong with a CACHE_URL, or None (unset is fine: each process caches alone)."""
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        return "CACHE_URL must be a Redis URL: redis://host:6379/0, rediss://… or unix://…"
    return None
