"""A real service in its own process for tests and benchmarks: `risk-warning serve` on a free loopback port,
waited for until /health answers, stopped with SIGTERM (its log kept in a file). Needs httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


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
    """``risk-warning serve --db db`` with ``env`` over this process's environment, run in ``folder``."""
    port = free_port()
    log = folder / f"service-{port}.log"
    environment = {**os.environ, **env}
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
