"""The two locks a store's writers take, by database: one for migrating, one for a scan's final write.

* Migrating (``migration_lock``): several processes may open a store that does not exist yet at once (a
  scan, the service's workers, an embedding application). PostgreSQL: a transaction-scoped advisory lock;
  SQLite: the database's write lock taken at BEGIN (``BEGIN IMMEDIATE``, waited for under the connection's
  busy timeout). Whoever gets it first migrates; the others then find the store at its revision.
* A scan's final write (``scan_write_lock``): the scan reads the stored alerts it will change and writes
  them in one transaction; a person's lifecycle change committed between the read and the write would be
  overwritten on stale knowledge. So the transaction takes the write lock before it reads: SQLite's write
  lock (``BEGIN IMMEDIATE``), PostgreSQL's ``SHARE ROW EXCLUSIVE`` lock on the alert table, which lets
  every read go on and makes other changes of alerts wait until the scan commits (a few seconds: the
  write is set-based). A change that waited then finds the alert as the scan left it, and its
  compare-and-set decides.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

MIGRATION_LOCK_KEY = 0x7277_6D69_6772  # "rwmigr"


def migration_lock(connection: Connection) -> None:
    """Hold the database's migration lock until this transaction ends (call it first in the transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def scan_write_lock(connection: Connection) -> None:
    """Hold off other writers of alerts until this transaction ends (call it first in the transaction)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE alert IN SHARE ROW EXCLUSIVE MODE")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
