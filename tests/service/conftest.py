"""A real service for the tests: `risk-warning serve` in its own process on a loopback port, over a SQLite store
holding the demo scan (units U01 and U02), API keys for each role and scope, and one disposition and one
education assignment on an alert of each unit. Requests go over HTTP (httpx)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from risk_warning import AlertStore, DirectorySource, InputPolicy, load_rulesets, scan
from risk_warning.bundled import data_path
from risk_warning.store.principal import Role
from risk_warning.testing.served import Served
from risk_warning.testing.served import start_service as served_process

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)
GATEWAY_SECRET = "gateway-secret-for-tests-0123456789"
KEYS = {  # name: (role, units)
    "admin": (Role.ADMIN, None),
    "u02-viewer": (Role.VIEWER, ["U02"]),
    "u02-disposer": (Role.DISPOSER, ["U02"]),
    "u01-triager": (Role.TRIAGER, ["U01"]),
    "u01-disposer": (Role.DISPOSER, ["U01"]),
}


def start_service(db: str, folder: Path, **env: str) -> Served:
    """The service over ``db`` with the test settings (the demo export as RW_DATA, the gateway's secret)."""
    settings = {"RW_DATA": str(ROOT / "fixtures" / "demo"), "RW_MAX_QUARANTINED": "0.2", "RW_WORKERS": "0",
                "RW_GATEWAY_SECRET": GATEWAY_SECRET, "RW_RATE_LIMIT": "100000/second"}  # fmt: skip
    return served_process(db, folder, **{**settings, **env})


def demo_store(folder: Path) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The demo scan in a new store, keys for KEYS, and a disposition and an assignment on one alert per unit."""
    db = f"sqlite:///{folder / 'service.db'}"
    store = AlertStore(db)
    try:
        rules = load_rulesets(["core"])
        scan(rules, DirectorySource(data_path("demo")), AS_OF, store=store, policy=InputPolicy(max_quarantined=0.2))
        keys = {name: store.create_key(name, role, units=units)[1] for name, (role, units) in KEYS.items()}
        ids: dict[str, Any] = {}
        for unit in ("U01", "U02"):
            alerts = [a for a in store.alerts() if a.org_unit_id == unit]
            disposed, educated = alerts[0], alerts[1]
            disposition = store.dispose(disposed.id, "谈话提醒", AS_OF, "局党组", "setup")
            assignment = store.assign_education(educated.id, AS_OF, date(2026, 9, 30), "setup")
            ids[unit] = {"alerts": [a.id for a in alerts], "subjects": sorted({a.subject_id for a in alerts}),
                         "disposition": disposition.id, "assignment": assignment.id, "free": alerts[-1].id}  # fmt: skip
    finally:
        store.close()
    return db, keys, ids


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("service")
    db, keys, ids = demo_store(folder)
    running = start_service(db, folder)
    running.keys, running.ids = keys, ids
    try:
        yield running
    finally:
        running.stop()
