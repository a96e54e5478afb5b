"""Opening a store never races: eight processes opening one that does not exist yet, at the same moment,
all succeed and leave it at this version's revision, on SQLite and PostgreSQL (issue 20)."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import create_engine

from risk_warning.store import migrate

OPEN = """
import sys, time
from risk_warning.store.repository import AlertStore
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
store = AlertStore(sys.argv[1], setup=sys.argv[2])
store.close()
print("opened")
"""


def test_eight_processes_open_a_fresh_store_at_once(store_url: str) -> None:
    start = time.time() + 6  # every process imported and waiting by then
    setups = ["create", "upgrade"] * 4  # a scan's opening and an embedding application's
    running = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, store_url, setup, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for setup in setups
    ]
    results = [(p.wait(timeout=180), *p.communicate()) for p in running]
    assert [(code, out.strip()) for code, out, _ in results] == [(0, "opened")] * 8, [e for *_, e in results]
    engine = create_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_a_store_being_created_is_never_read_as_an_older_one(store_url: str) -> None:
    """While another process creates the store, its revision reads as none or this version's, never 0001:
    the tables are read before the revision (CI once saw a fresh store taken for one made before migrations,
    and a `create` opener refused it)."""
    from risk_warning.store.repository import AlertStore

    create = f"from risk_warning.store.repository import AlertStore; AlertStore({store_url!r}, setup='upgrade').close()"
    seen: list[str | None] = []
    for _ in range(3):
        if seen:  # start again from an empty database
            store = AlertStore(store_url, setup="existing")
            migrate.downgrade(store.engine, "base")
            with store.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            store.close()
        creating = subprocess.Popen([sys.executable, "-c", create])
        engine = create_engine(store_url)
        try:
            while creating.poll() is None:
                revision = migrate.current_revision(engine)
                if not seen or seen[-1] != revision:
                    seen.append(revision)
        finally:
            engine.dispose()
        assert creating.wait() == 0
    assert set(seen) <= {None, migrate.head_revision()}, seen
