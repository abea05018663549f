"""Alembic environment: runs migrations against the app's database (Flask-Migrate)."""

import logging

from alembic import context
from flask import current_app

from tracker.database import schema_object_filter

log = logging.getLogger("alembic.env")
if not logging.getLogger().handlers:
    # Run from the shell: show which revisions ran, without reconfiguring the app's logging.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-5.5s [%(name)s] %(message)s"))
    logging.getLogger("alembic").addHandler(handler)
    logging.getLogger("alembic").setLevel(logging.INFO)

config = context.config
db = current_app.extensions["migrate"].db
# Escape % so ConfigParser does not take it for interpolation (URL-encoded passwords).
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def _skip_empty_autogenerate(context_, revision, directives):
    """`flask db migrate` with no model change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _render_item(type_, obj, autogen_context):
    """Write the app's column types as plain SQLAlchemy types, so migrations never import
    app code that may change later."""
    if type_ == "type" and hasattr(obj, "impl") and obj.__module__.startswith("tracker."):
        return f"sa.{obj.impl.__class__.__name__}()"
    return False


def _options(dialect_name: str) -> dict:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("include_object", schema_object_filter(dialect_name))
    options.setdefault("process_revision_directives", _skip_empty_autogenerate)
    options.setdefault("compare_type", True)
    options.setdefault("render_item", _render_item)
    return options


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
        **_options(db.engine.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the original, which foreign keys
            # referencing it would refuse once it holds rows; they are checked after instead.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()  # a pragma outside the migrations' transaction
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            **_options(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"The migration left rows with broken references: {broken}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
