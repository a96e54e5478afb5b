"""The scheduler, for real: a persistent job store in the alert database, a run, and a clean SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from risk_warning import AlertStore
from risk_warning.errors import RulesetError
from risk_warning.run.scheduler import JOB_ID, load_config

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, db: str, cron: str = "30 2 * * *") -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(
        f'cron: "{cron}"\ntimezone: Asia/Shanghai\ndata: {ROOT / "fixtures" / "demo"}\n'
        f"rules: [{ROOT / 'rulesets'}]\ndb: {db}\nworkers: 0\nmisfire_grace_seconds: 600\n",
        encoding="utf-8",
    )
    return path


def start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "risk_warning", "schedule", "--config", str(config), "--run-now"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def wait_for_completed_scan(db: str, proc: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            store = AlertStore(db)
            done = [r for r in store.scans() if r.status == "completed"]
            store.close()
            if done:
                return
        except Exception:  # the scheduler may be creating the schema at this moment
            pass
        time.sleep(0.5)
    raise AssertionError("no scan completed")


def test_schedule_runs_a_scan_persists_its_job_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'nightly.db'}"
    config = write_config(tmp_path, db)
    proc = start(config)
    wait_for_completed_scan(db, proc)
    with create_engine(db).connect() as c:
        jobs = [row[0] for row in c.execute(text("SELECT id FROM scheduled_job"))]
    assert JOB_ID in jobs  # the cron job lives in the same database
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "scheduler stopped" in output
    first = re.search(r"scan #1 as of (\S+): (\d+) alerts, (\d+) new", output)
    assert first is not None, output
    assert first.group(1) == datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # as of today, there
    assert int(first.group(2)) == int(first.group(3)) > 0
    assert re.search(r"\[scan #1\] scan: (\d+)/\1 spans of subjects evaluated", output), output  # progress, its id
    # restarted: the job is still there (replaced, not duplicated), and a second run adds nothing new
    proc = start(config)
    time.sleep(1)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        store = AlertStore(db)
        runs = [r for r in store.scans() if r.status == "completed"]
        store.close()
        if len(runs) == 2:
            break
        time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert re.search(r"scan #2 as of \S+: \d+ alerts, 0 new", output), output
    with create_engine(db).connect() as c:
        assert c.execute(text(f"SELECT count(*) FROM scheduled_job WHERE id = '{JOB_ID}'")).scalar() == 1


def test_a_signal_that_lands_on_another_thread_still_stops_the_scheduler(tmp_path: Path) -> None:
    # A process-directed SIGTERM may be taken by any thread; Python runs the handler only when the main
    # thread next runs Python code. Once the scheduler slept in the main thread until the next cron time
    # (02:30) and a SIGTERM during a scan stayed pending for 23 minutes (CI, stop 29). Here the signal is
    # sent to a helper thread on purpose.
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'nightly.db'}")
    script = (
        "import logging, signal, sys, threading, time\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from risk_warning.run.scheduler import load_config, run\n"
        "def poke():\n"
        "    time.sleep(3)\n"
        "    print('poking', flush=True)\n"
        "    signal.pthread_kill(threading.get_ident(), signal.SIGTERM)\n"
        "threading.Thread(target=poke, daemon=True).start()\n"
        f"run(load_config({str(config)!r}))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=ROOT)  # fmt: skip
    try:
        output, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        raise AssertionError(f"still running a minute after the signal:\n{output}") from None
    assert proc.returncode == 0, output
    assert "poking" in output and "signal SIGTERM" in output and "scheduler stopped" in output, output
    assert "Traceback" not in output, output


def test_a_bad_schedule_file_is_reported(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sqlite:///x.db", cron="61 2 * * *")
    with pytest.raises(RulesetError, match=r"schedule\.yaml"):
        load_config(config)
    result = subprocess.run(
        [sys.executable, "-m", "risk_warning", "schedule", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2 and "cron is five fields" in result.stderr


def test_the_nightly_job_evaluates_on_a_dask_scheduler_named_in_its_file(tmp_path: Path, dask_scheduler: str) -> None:
    from risk_warning.run.scheduler import ScheduleConfig, nightly_scan

    results = {}
    for name, extra in (("here", {"workers": 0}), ("dask", {"executor": "dask", "scheduler": dask_scheduler})):
        db = f"sqlite:///{tmp_path / name}.db"
        config = {"cron": "30 2 * * *", "data": str(ROOT / "fixtures" / "demo"), "rules": [str(ROOT / "rulesets")],
                  "db": db, "max_quarantined": 0.2, **extra}  # fmt: skip
        assert ScheduleConfig.model_validate(config).executor == extra.get("executor")
        summary = nightly_scan(config)
        assert re.search(r"scan #1 as of \S+: \d+ alerts", summary), summary
        store = AlertStore(db)
        results[name] = sorted((r.subject_id, r.rule_id, r.fingerprint) for r in store.alerts())
        store.close()
    assert results["dask"] == results["here"] and results["here"]
