"""A real service for the tests: `risk-warning serve` in its own process on a loopback port, over a SQLite store
holding the demo scan (units U01 and U02), API keys for each role and scope, and one disposition and one
education assignment on an alert of each unit. Requests go over HTTP (httpx)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from risk_warning import AlertStore, DirectorySource, InputPolicy, load_rulesets, scan
from risk_warning.bundled import data_path
from risk_warning.store.principal import Role

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    """A running service and what the store behind it holds."""

    url: str
    db: str
    log: Path
    proc: subprocess.Popen[bytes]
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)  # alert, disposition and assignment ids by unit

    def client(self, who: str | None = None, **headers: str) -> httpx.Client:
        if who is not None:
            headers["Authorization"] = f"Bearer {self.keys[who]}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_service(db: str, folder: Path, **env: str) -> Served:
    port = free_port()
    log = folder / f"service-{port}.log"
    environment = {**os.environ, "RW_DATA": str(ROOT / "fixtures" / "demo"), "RW_MAX_QUARANTINED": "0.2",
                   "RW_WORKERS": "0", "RW_GATEWAY_SECRET": GATEWAY_SECRET, "RW_RATE_LIMIT": "100000/second",
                   **env}  # fmt: skip
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "risk_warning", "serve", "--db", db, "--port", str(port)],
                                stdout=sink, stderr=subprocess.STDOUT, env=environment, cwd=folder)  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", db, log, proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the service exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(served.url + "/health", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    served.stop()
    raise AssertionError(f"the service did not answer within 90 s:\n{log.read_text()}")


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
