"""The alert store: SQLite by default (a file), PostgreSQL by URL; one facade over the store's jobs.

Each job lives in its own module, as a class that needs only the SQLAlchemy engine: ``leases.Leases``
(one scan at a time), ``writer.ScanWriter`` (a scan's results in one transaction), ``queries.Queries``
(every read, and the history the rules see) and ``actions.Actions`` (the lifecycle people drive).
``AlertStore`` opens and migrates the database and offers all of them, as it always has.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import create_engine

from risk_warning.errors import ScanInProgressError, StoreError, StoreUnavailableError
from risk_warning.settings import settings
from risk_warning.store import migrate
from risk_warning.store.actions import EDUCATION_TYPES, FORM_OF, RECHECK_DAYS, TRANSITIONS, Actions
from risk_warning.store.audit import AuditFilter, AuditTrail
from risk_warning.store.keys import Keys
from risk_warning.store.leases import Leases
from risk_warning.store.principal import NotPermittedError, Principal, Role
from risk_warning.store.queries import AlertFilter, Queries
from risk_warning.store.writer import ScanWriter

__all__ = [
    "EDUCATION_TYPES",
    "FORM_OF",
    "RECHECK_DAYS",
    "TRANSITIONS",
    "AlertFilter",
    "AlertStore",
    "AuditFilter",
    "NotPermittedError",
    "Principal",
    "Role",
    "ScanInProgressError",
    "StoreError",
    "StoreUnavailableError",
]

Setup = Literal["upgrade", "create", "existing"]


def shown_url(url: str) -> str:
    """A store URL fit for a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


SQLITE_BUSY_MS = 30_000  # a writer waits this long for another's transaction, instead of failing at once


def _sqlite_pragmas(engine: SqlEngine) -> None:
    """Every SQLite connection waits for a busy database (up to ``SQLITE_BUSY_MS``) rather than failing with
    "database is locked", and a file store runs in WAL mode: readers (the service's requests, `alerts list`)
    go on while a scan or another request writes, and a writer is not starved by readers."""
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(connection: object, record: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def _sqlite_file_exists(url: str) -> bool:
    """False only for a SQLite URL naming a file that is not there (connecting would create it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return True  # create_engine reports it
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


class AlertStore(Leases, ScanWriter, Queries, Actions, AuditTrail, Keys):
    def __init__(
        self,
        url: str | None = None,
        *,
        recheck_days: Mapping[str, int] | None = None,
        setup: Setup = "upgrade",
        principal: Principal | None = None,
    ) -> None:
        """Open a store (default: ``RW_DB_URL``). ``setup`` says what may be done to it: ``upgrade`` creates
        or migrates it (an embedding application's default); ``create`` creates a new one but refuses to
        migrate an existing one (a scan: migrating production data is the operator's decision, with
        ``risk-warning db upgrade``); ``existing`` touches nothing and needs a store at this version's
        revision (every read-only command). Otherwise ``StoreUnavailableError`` says what to do; so does a
        store that cannot be reached. ``recheck_days`` sets the re-check period by intervention type;
        ``"*"`` is the default for the others (90 days; 183 after 诫勉 unless given), over
        ``RW_RECHECK_DAYS``. ``principal`` is who the audit trail names for what is done and read through
        this store (default: ``RW_IDENTITY``, else the operating-system account)."""
        self.url = url or settings().db_url
        self.principal = principal or Principal.local()
        self.recheck_days: dict[str, int] = {**RECHECK_DAYS, **settings().recheck_days, **(recheck_days or {})}
        shown = shown_url(self.url)
        if setup == "existing" and not _sqlite_file_exists(self.url):
            raise StoreUnavailableError(
                f"no store at {shown}: nothing has been scanned into it yet; "
                "check --db (or RW_DB_URL), or create it with `risk-warning db upgrade`"
            )
        try:
            self.engine: SqlEngine = create_engine(self.url)
            _sqlite_pragmas(self.engine)
        except ArgumentError:
            raise StoreUnavailableError(
                f"--db {shown}: not a store URL (sqlite:///file.db, or postgresql+psycopg://user@host/db)"
            ) from None
        except ModuleNotFoundError as exc:  # the extra that brings the driver is not installed
            raise StoreUnavailableError(
                f"the store at {shown} needs the {exc.name} driver: pip install 'risk-warning[postgres]'"
            ) from None
        try:
            revision = migrate.current_revision(self.engine)
            head = migrate.head_revision()
            if setup == "upgrade" or (setup == "create" and revision is None):
                if revision != head:
                    migrate.upgrade(self.engine)
            elif revision is None:
                raise StoreUnavailableError(
                    f"the database at {shown} holds no store: check --db (or RW_DB_URL), or create it with "
                    "`risk-warning db upgrade`"
                )
            elif revision != head:
                raise StoreUnavailableError(
                    f"the store at {shown} is at revision {revision} and this version needs {head}: back it up, "
                    "then run `risk-warning db upgrade` (nothing was changed)"
                )
        except OperationalError as exc:
            self.engine.dispose()
            said = str(exc.orig or exc).strip()
            first = said.splitlines()[0] if said else type(exc).__name__
            raise StoreUnavailableError(
                f"cannot reach the store at {shown}: {first}; check --db (or RW_DB_URL), the server and the network"
            ) from None
        except StoreUnavailableError:
            self.engine.dispose()
            raise

    def acting_as(self, principal: Principal) -> AlertStore:
        """This store, read and changed as ``principal`` (the service: one per request, sharing this store's
        connections). Close only the store it was made from."""
        view = copy.copy(self)
        view.principal = principal
        return view

    def close(self) -> None:
        self.engine.dispose()
