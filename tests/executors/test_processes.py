"""Worker processes: same answers as in-process, and a segfault on one subject loses nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.errors import Reason
from risk_warning.executors.processes import CRASH_HOOK

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
DEMO = DirectorySource(ROOT / "fixtures" / "demo")
AS_OF = date(2026, 6, 30)


def keyed(result: object) -> list[tuple[str, str, str]]:
    return [(a.subject_id, a.rule_id, a.fingerprint) for a in result.alerts]  # type: ignore[attr-defined]


def test_workers_give_the_same_alerts_as_one_process() -> None:
    assert keyed(scan(RULESETS, DEMO, AS_OF, workers=2)) == keyed(scan(RULESETS, DEMO, AS_OF, workers=0))


def test_a_worker_segfault_quarantines_that_subject_and_the_scan_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AlertStore(f"sqlite:///{tmp_path / 'crash.db'}")
    clean = scan(RULESETS, DEMO, AS_OF, store=store, workers=2)
    monkeypatch.setenv(CRASH_HOOK, "C007")
    crashed = scan(RULESETS, DEMO, AS_OF, store=store, workers=2)
    victim = [q for q in crashed.quarantined if q.location.path == "subject:C007"]
    assert len(victim) == 1 and victim[0].reason is Reason.ENGINE_CRASH
    assert "each time it was tried, the last time alone" in victim[0].message
    assert keyed(crashed) == [k for k in keyed(clean) if k[0] != "C007"]
    # the crashed subject's stored alerts are neither cleared nor changed
    c007 = [r for r in store.alerts() if r.subject_id == "C007"]
    assert len(c007) == 2 and {r.status for r in c007} == {"new"}
    assert store.scans()[-1].status == "completed"
    store.close()


def test_workers_die_with_a_scan_killed_outright(tmp_path: Path) -> None:
    """SIGKILL to a scan evaluating in 2 worker processes: the workers are gone within seconds (they ran on
    for minutes before: issue 20)."""
    gone, alive = kill_a_scan_with_two_workers(tmp_path, ["--workers", "2"], lambda parent: parent.children())
    assert alive == [], [p.pid for p in alive]
    assert len(gone) >= 2


def kill_a_scan_with_two_workers(
    tmp_path: Path, executor: list[str], workers_of: Callable[[Any], list[Any]], wait: float = 10
) -> tuple[list[Any], list[Any]]:
    """A scan of 6,000 generated cadres on ``executor``, SIGKILLed once ``workers_of(its process)`` finds two
    workers: (those gone, those alive) ``wait`` seconds later."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    env = {**os.environ, "RW_TOKEN_KEY": "workers-die-key"}
    data = tmp_path / "data"
    subprocess.run(
        [sys.executable, "-m", "risk_warning", "fixtures", "generate", "--cadres", "6000", "--seed", "5",
         "--out", str(data)],
        check=True, capture_output=True, env=env, timeout=300,
    )  # fmt: skip
    with (tmp_path / "out.txt").open("wb") as out:
        scanning = subprocess.Popen(
            [sys.executable, "-m", "risk_warning", "scan", "--data", str(data), "--as-of", "2026-06-30",
             "--db", f"sqlite:///{tmp_path / 'kill.db'}", *executor, "--format", "json"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    parent = psutil.Process(scanning.pid)
    deadline = time.monotonic() + 240
    workers: list[Any] = []
    while len(workers) < 2 and scanning.poll() is None and time.monotonic() < deadline:
        workers = workers_of(parent)
        time.sleep(0.05)
    assert len(workers) >= 2, ("the scan ended before its workers could be seen", (tmp_path / "out.txt").read_text())
    os.kill(scanning.pid, signal.SIGKILL)
    scanning.wait(timeout=30)
    gone, alive = psutil.wait_procs(workers, timeout=wait)
    return list(gone), list(alive)
