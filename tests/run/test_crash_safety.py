"""A scan killed with SIGKILL at any point leaves nothing a re-run does not repair: the same alerts, once."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.store.repository import ScanInProgressError

ROOT = Path(__file__).resolve().parents[2]
# kills per run: 10 in `make test` (about two minutes); the measured runs used RW_CRASH_KILLS=48
KILLS = int(os.environ.get("RW_CRASH_KILLS", "10"))
COPIES = 20  # the demo organisation, twenty times over: about 250 subjects
SHARED = ("org_unit", "position")  # written once: their ids are not suffixed


def bigger_fixtures(out: Path, copies: int = COPIES) -> Path:
    """The demo data copied COPIES times, every id suffixed, so a scan lasts long enough to be killed."""
    out.mkdir()
    for src in sorted((ROOT / "fixtures" / "demo").glob("*.csv")):
        with src.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        with (out / src.name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for n in range(1 if src.stem in SHARED else copies):  # one organisation chart for every copy
                for row in body:
                    writer.writerow([_suffix(h, v, n) for h, v in zip(header, row, strict=True)])
    return out


def _suffix(column: str, value: str, n: int) -> str:
    if not value or not (column.endswith("_id") or column.endswith("_ids") or column in ("claimant_id",)):
        return value
    if column in ("org_unit_id", "position_id", "target_position_id", "unit_id", "branch_id", "meeting_id"):
        return value
    return ";".join(f"{v}-{n}" for v in value.split(";"))


def state(db: Path) -> list[tuple[object, ...]]:
    store = AlertStore(f"sqlite:///{db}")
    rows = sorted((r.fingerprint, r.grade, r.status, r.first_seen, r.last_seen, r.cleared_at) for r in store.alerts())
    store.close()
    return rows


def run_scan(data: Path, db: Path, as_of: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "risk_warning",
            "scan",
            "--data",
            str(data),
            "--as-of",
            as_of,
            "--db",
            f"sqlite:///{db}",
            "--workers",
            "2",
            "--max-quarantined",  # the demo's two bad records, copied, are 1 in 7 of their files
            "0.2",
            "--format",
            "json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )


def test_sigkill_at_random_points_then_rerun_gives_the_identical_alert_set(tmp_path: Path) -> None:
    data = bigger_fixtures(tmp_path / "data")
    rulesets = load_rulesets([ROOT / "rulesets"])
    # the night before: a store that already holds alerts, so a killed scan has updates to half-write
    template = tmp_path / "template.db"
    store = AlertStore(f"sqlite:///{template}")
    scan(rulesets, DirectorySource(data), date(2026, 6, 30), store=store)
    store.close()
    reference = tmp_path / "reference.db"
    shutil.copy(template, reference)
    started = time.monotonic()
    assert run_scan(data, reference, "2026-07-31").wait(timeout=300) == 0
    full = time.monotonic() - started
    expected = state(reference)
    assert len(expected) > 200 and len({r[0] for r in expected}) == len(expected)
    assert {r[2] for r in expected} >= {"new", "cleared"}

    rng = random.Random(20261124)
    killed_midway = attempts = 0
    while killed_midway < KILLS and attempts < 3 * KILLS:  # a scan that ends before its kill aims the next earlier
        delay = rng.uniform(0.05, full * 1.05)
        attempts += 1
        db = tmp_path / f"kill{attempts}.db"
        shutil.copy(template, db)
        proc = run_scan(data, db, "2026-07-31")
        time.sleep(delay)
        if proc.poll() is None:
            killed_midway += 1
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # scans run faster than the reference did (the machine's load changes): kill sooner
            full = max(0.5, delay * 0.9)
        proc.wait(timeout=60)
        rerun = run_scan(data, db, "2026-07-31")
        assert rerun.wait(timeout=300) == 0, f"re-run after a kill at {delay:.2f}s failed"
        assert state(db) == expected, f"kill at {delay:.2f}s of {full:.2f}s"
    assert killed_midway >= KILLS * 3 // 4  # the kills really landed during scans


def test_two_concurrent_scans_exactly_one_runs(tmp_path: Path) -> None:
    data = bigger_fixtures(tmp_path / "data", copies=100)
    db = tmp_path / "concurrent.db"
    AlertStore(f"sqlite:///{db}").close()  # schema in place before the race
    rulesets = load_rulesets([ROOT / "rulesets"])  # loaded before the race: the first scan takes less time
    first = run_scan(data, db, "2026-07-31")
    store = AlertStore(f"sqlite:///{db}")
    deadline = time.monotonic() + 120
    while not [r for r in store.scans() if r.status == "running"]:  # the first scan holds the lease
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    with pytest.raises(ScanInProgressError, match="a scan is in progress"):
        scan(rulesets, DirectorySource(data), date(2026, 7, 31), store=store)
    assert first.wait(timeout=300) == 0
    assert [r.status for r in store.scans()] == ["completed"]
    store.close()
