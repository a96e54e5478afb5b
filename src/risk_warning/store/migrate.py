"""Bring a store's schema to the current revision with Alembic; existing data is kept."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

HEAD = "head"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("risk_warning.store") / "migrations"))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Upgrade to ``revision``. A store made before migrations existed is recognised as revision 0001."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "alert" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, revision)
