"""The alert store: SQLite by default (a file), PostgreSQL by URL; one facade over the store's jobs.

Each job lives in its own module, as a class that needs only the SQLAlchemy engine: ``leases.Leases``
(one scan at a time), ``writer.ScanWriter`` (a scan's results in one transaction), ``queries.Queries``
(every read, and the history the rules see) and ``actions.Actions`` (the lifecycle people drive).
``AlertStore`` opens and migrates the database and offers all of them, as it always has.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine as SqlEngine
from sqlmodel import create_engine

from risk_warning.errors import ScanInProgressError, StoreError
from risk_warning.settings import settings
from risk_warning.store import migrate
from risk_warning.store.actions import EDUCATION_TYPES, FORM_OF, RECHECK_DAYS, TRANSITIONS, Actions
from risk_warning.store.leases import Leases
from risk_warning.store.queries import AlertFilter, Queries
from risk_warning.store.writer import ScanWriter

__all__ = [
    "EDUCATION_TYPES",
    "FORM_OF",
    "RECHECK_DAYS",
    "TRANSITIONS",
    "AlertFilter",
    "AlertStore",
    "ScanInProgressError",
    "StoreError",
]


class AlertStore(Leases, ScanWriter, Queries, Actions):
    def __init__(self, url: str | None = None, *, recheck_days: Mapping[str, int] | None = None) -> None:
        """Open (and migrate) a store (default: ``RW_DB_URL``). ``recheck_days`` sets the re-check period by
        intervention type; ``"*"`` is the default for the others (90 days; 183 after 诫勉 unless given),
        over ``RW_RECHECK_DAYS``."""
        self.url = url or settings().db_url
        self.recheck_days: dict[str, int] = {**RECHECK_DAYS, **settings().recheck_days, **(recheck_days or {})}
        self.engine: SqlEngine = create_engine(self.url)
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()
