"""People keep working while a scan runs (issue 20): triages and education assignments made during a long
scan, its final write included, all succeed, on a SQLite file store and on PostgreSQL; the scan completes;
and no write is lost or overwritten on stale knowledge: in every alert's history each change starts from
the status the one before it left."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from risk_warning.store.repository import AlertStore
from risk_warning.store.tables import AlertStatus

ROOT = Path(__file__).resolve().parents[2]
ENV_KEY = {"RW_TOKEN_KEY": "writes-during-a-scan-key"}


def cli(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """The command, its output to ``log`` (a pipe nobody reads while the test acts would fill and stop it)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "risk_warning", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **ENV_KEY},
        )


def finished(process: subprocess.Popen[bytes], log: Path) -> tuple[int, str]:
    process.wait(timeout=600)
    return process.returncode, log.read_text(encoding="utf-8")


def test_triage_and_education_during_a_long_scan_succeed_and_nothing_is_lost(tmp_path: Path, store_url: str) -> None:
    data, db = tmp_path / "data", store_url
    log = tmp_path / "out.txt"
    code, said = finished(
        cli("fixtures", "generate", "--cadres", "8000", "--seed", "11", "--out", str(data), log=log), log
    )
    assert code == 0, said
    scan = ["scan", "--data", str(data), "--db", db, "--workers", "0", "--format", "json", "--full"]
    code, said = finished(cli(*scan, "--as-of", "2026-06-30", log=log), log)
    assert code == 0, said

    store = AlertStore(db, setup="existing")
    try:  # closed whatever fails: a connection left open fails a later test (ResourceWarning)
        waiting = [a.id for a in store.alerts() if a.status == AlertStatus.NEW]
        assert len(waiting) > 100
        second = cli(*scan, "--as-of", "2026-07-31", log=log)
        done: list[float] = []
        failed: list[str] = []
        triaged: set[int] = set()
        turn = 0
        while second.poll() is None:  # triage each alert, then keep assigning education, until the scan ends
            alert_id = waiting[turn % len(waiting)]
            turn += 1
            try:
                if alert_id not in triaged:
                    store.transition(alert_id, AlertStatus.TRIAGED, "王审核", "数据已核实")
                    triaged.add(alert_id)
                else:
                    store.assign_education(alert_id, date(2026, 8, 1), date(2026, 9, 1), "王审核", kind="警示教育")
                done.append(time.time())
            except Exception as exc:  # every failure is the finding
                failed.append(f"#{alert_id}: {type(exc).__name__}: {exc}")
            time.sleep(0.02)
        code, said = finished(second, log)
        assert code == 0, said
        assert failed == []
        assert len(done) >= 20, "the scan ended before the test could act during it"

        scans = store.scans()[::-1]
        assert scans[0].status == "completed" and scans[0].finished_at is not None
        finished_at = scans[0].finished_at.timestamp()
        assert any(abs(at - finished_at) < 2 for at in done), "some writes came while the scan wrote its results"
        for alert in store.alerts():
            history = store.history(alert.id)
            for before, after in itertools.pairwise(history):
                if before.to_status and after.from_status:
                    assert after.from_status == before.to_status, (
                        alert.id,
                        [(h.action, h.from_status, h.to_status) for h in history],
                    )
            moved = [h.to_status for h in history if h.to_status]
            assert not moved or moved[-1] == alert.status, (alert.id, alert.status, moved)
    finally:
        store.close()
