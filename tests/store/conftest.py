"""Store backends for the contract suite: a real SQLite file, and a real PostgreSQL server.

PostgreSQL comes from RW_TEST_POSTGRES_URL (an admin URL; .ci/run starts a server and sets it). Each
test gets a database of its own, dropped afterwards. Without the variable the PostgreSQL cases are
skipped, unless RW_REQUIRE_POSTGRES=1 (as in CI), which makes them fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ADMIN_URL = os.environ.get("RW_TEST_POSTGRES_URL", "")


def _postgres_url() -> Iterator[str]:
    if not ADMIN_URL:
        if os.environ.get("RW_REQUIRE_POSTGRES") == "1":
            pytest.fail("RW_REQUIRE_POSTGRES=1 but RW_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set RW_TEST_POSTGRES_URL)")
    import psycopg

    name = f"rw_test_{uuid.uuid4().hex[:12]}"
    plain = ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from _postgres_url()
