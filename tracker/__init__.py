"""Availability risk tracker: the application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from tracker import config as settings
from tracker.jira.incident_settings import incident_pull_problem
from tracker.links import public_url_problem
from tracker.request_log import log_format_problem
from tracker.sso.settings import sso_problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration; the message says what to change."""


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py and the environment (or the test config)."""
    app.config.from_object(settings.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        try:
            app.config.update(settings.settings_from_environment(dict(os.environ)))
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
    else:
        app.config.update(test_config)

    os.makedirs(app.instance_path, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or settings.default_database_url(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(uri)

    if problem := (
        settings.scoring_problem(app.config)
        or settings.incident_problem(app.config)
        or incident_pull_problem(app.config)
        or public_url_problem(app.config["PUBLIC_URL"])
        or sso_problem(app.config)
        or settings.cache_url_problem(app.config["CACHE_URL"])
        or log_format_problem(app.config["LOG_FORMAT"])
    ):
        raise ConfigurationError(f"Refusing to start: {problem}")
    if settings.is_production(app.config):
        problem = settings.secret_key_problem(app.config["SECRET_KEY"])
        if problem:
            raise ConfigurationError(f"Refusing to start: {problem}\n{settings.KEY_SETUP_HELP}")
    elif not app.config["SECRET_KEY"]:
        log.warning("No SECRET_KEY set: using a throw-away key; sessions end at restart.")
        app.config["SECRET_KEY"] = secrets.token_hex(32)


def register_extensions(app: Flask) -> None:
    from tracker import (
        database,
        figures_cache,
        headers,
        input_guard,
        query_count,
        request_log,
        security,
        templating,
    )
    from tracker.auth import sessions
    from tracker.extensions import csrf, db, login_manager, migrate
    from tracker.mitigations import work_state

    # First, so that every request is timed and logged whatever the later steps answer.
    request_log.init_app(app)
    db.init_app(app)
    database.init_app(app)
    work_state.listen()
    figures_cache.init_app(app)
    query_count.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    input_guard.init_app(app)
    security.init_app(app)
    headers.init_app(app)
    templating.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Each area package assembles its own blueprints; the order is the URL map's."""
    from tracker import (
        admin,
        api,
        auth,
        dashboard,
        errors,
        incidents,
        jira,
        main,
        mitigations,
        reviews,
        risks,
        roadmap,
        sso,
    )

    for area in (
        dashboard,
        main,
        auth,
        sso,
        admin,
        risks,
        mitigations,
        incidents,
        roadmap,
        jira,
        reviews,
        api,
    ):
        for blueprint in area.blueprints():
            app.register_blueprint(blueprint)
    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from tracker.accounts.cli import teams_cli, users_cli
    from tracker.api.cli import tokens_cli
    from tracker.backup.cli import backup_command, restore_command
    from tracker.demo.cli import demo_command
    from tracker.digest.cli import digest_command
    from tracker.incidents.cli import incidents_cli
    from tracker.jira.cli import jira_cli
    from tracker.migration_guard import guard_downgrade
    from tracker.mitigations.cli import mitigations_cli
    from tracker.risks.cli import risks_cli
    from tracker.roadmap.cli import delivery_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(teams_cli)
    app.cli.add_command(risks_cli)
    app.cli.add_command(mitigations_cli)
    app.cli.add_command(incidents_cli)
    app.cli.add_command(jira_cli)
    app.cli.add_command(digest_command)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(delivery_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    guard_downgrade()
