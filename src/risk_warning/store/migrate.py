"""Bring a store's schema to the current revision with Alembic; existing data is kept.

Several processes may open a store that does not exist yet at the same moment: migrating runs under the
database's migration lock (store/locks.py), and the revision is read again inside it, so the first process
migrates and the others find the store at the revision they need and change nothing.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from risk_warning.store.locks import migration_lock

HEAD = "head"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("risk_warning.store") / "migrations"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The store's revision; None for a store with no schema at all. A store made before migrations
    existed (an ``alert`` table and no ``alembic_version``) is revision 0001."""
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    # The tables first, then the revision: each read sees what was committed when it ran, and a migration
    # commits its tables and its revision at once, so an alert table with no revision read after it is a
    # store made before migrations, never one another process was migrating between the two reads (read
    # the other way round, a fresh store being created was taken for revision 0001: CI, 8 openers).
    legacy = "alert" in inspect(connection).get_table_names()
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None and legacy:
        return "0001"
    return revision


def head_revision() -> str:
    """The revision this version of the package writes."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Upgrade to ``revision``, under the migration lock. A store made before migrations existed is
    recognised as revision 0001; a store another process brought there meanwhile is left as it is."""
    config = _config()
    with engine.begin() as connection:
        migration_lock(connection)
        target = head_revision() if revision == HEAD else revision
        if _revision(connection) == target:
            return
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "alert" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to ``revision`` (tests make a store of an earlier version with it)."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
