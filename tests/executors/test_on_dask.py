"""A scan on a Dask cluster, end to end: the library into a real SQLite file, and the command as an operator
runs it, at a scheduler's address and on a LocalCluster of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.executors.on_dask import DaskExecutor
from risk_warning.executors.registry import make_executor

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
DEMO = DirectorySource(ROOT / "fixtures" / "demo")
AS_OF = date(2026, 6, 30)


def stored(store: AlertStore) -> list[tuple[str, str, str, str]]:
    return sorted((r.subject_id, r.rule_id, r.fingerprint, r.status) for r in store.alerts())


def test_a_scan_on_a_dask_cluster_stores_what_a_scan_in_process_stores(tmp_path: Path, dask_scheduler: str) -> None:
    here = AlertStore(f"sqlite:///{tmp_path / 'here.db'}")
    there = AlertStore(f"sqlite:///{tmp_path / 'there.db'}")
    with DaskExecutor(dask_scheduler) as executor:
        for day in (AS_OF, date(2026, 7, 1)):  # a full night, then an incremental one
            on_dask = scan(RULESETS, DEMO, day, store=there, executor=executor, full=day == AS_OF)
            in_process = scan(RULESETS, DEMO, day, store=here, workers=0, full=day == AS_OF)
            keyed = [(a.subject_id, a.rule_id, a.fingerprint) for a in in_process.alerts]
            assert [(a.subject_id, a.rule_id, a.fingerprint) for a in on_dask.alerts] == keyed and keyed
            assert on_dask.quarantined == in_process.quarantined
            assert on_dask.carried_subjects == in_process.carried_subjects
    assert stored(there) == stored(here)
    assert there.subject_states() == here.subject_states()
    here.close()
    there.close()


@pytest.mark.parametrize("name", ["inline", "processes", "dask"])
def test_a_scan_reports_its_progress_to_the_end_whatever_the_executor(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Buckets looked at, and spans evaluated (counted by the shared crash policy), each ending at its total."""
    scheduler = request.getfixturevalue("dask_scheduler") if name == "dask" else None
    events: list[tuple[str, int, int]] = []
    spilled = DirectorySource(ROOT / "fixtures" / "demo", spill=True)
    with closing(make_executor(name, 2, scheduler)) as executor:  # type: ignore[arg-type]
        scan(RULESETS, spilled, AS_OF, executor=executor, buckets=2, progress=lambda *e: events.append(e))
    assert [e for e in events if e[0] == "buckets"] == [("buckets", 1, 2), ("buckets", 2, 2)]
    spans = [(done, total) for step, done, total in events if step == "spans"]
    assert spans and spans[-1][0] == spans[-1][1] and [d for d, _ in spans] == list(range(1, len(spans) + 1))


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, **env},
    )


def scan_demo(db: Path, *options: str, **env: str) -> subprocess.CompletedProcess[str]:
    return cli(
        "scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2",
        "--db", f"sqlite:///{db}", "--format", "json", *options, **env,
    )  # fmt: skip


def fingerprints(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == ExitCode.OK, result.stderr
    last = [line for line in result.stderr.splitlines() if line.startswith("scan: ") and "spans" in line][-1]
    done, total = last.split()[1].split("/")
    assert done == total and last.endswith("spans of subjects evaluated"), result.stderr  # progress, to the end
    return [a["fingerprint"] for a in json.loads(result.stdout)["alerts"]]


def test_the_command_scans_on_a_scheduler_and_on_a_local_cluster_as_in_process(
    tmp_path: Path, dask_scheduler: str
) -> None:
    expected = fingerprints(scan_demo(tmp_path / "a.db", "--workers", "0"))
    at_address = scan_demo(tmp_path / "b.db", "--executor", "dask", "--scheduler", dask_scheduler)
    local = scan_demo(tmp_path / "c.db", "--executor", "dask", "--workers", "2")
    by_setting = scan_demo(tmp_path / "d.db", RW_EXECUTOR="dask", RW_SCHEDULER=dask_scheduler)
    assert fingerprints(at_address) == fingerprints(local) == fingerprints(by_setting) == expected and expected


def test_a_scheduler_that_does_not_answer_is_a_configuration_error_before_anything_is_read(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    result = scan_demo(db, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", RW_SCHEDULER_TIMEOUT="2")
    assert result.returncode == ExitCode.CONFIG
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr
    store = AlertStore(f"sqlite:///{db}")
    assert store.scans() == [] and store.alerts() == []
    store.close()


def test_an_unknown_executor_or_a_scheduler_without_dask_is_refused(tmp_path: Path) -> None:
    unknown = scan_demo(tmp_path / "x.db", "--executor", "spark")
    assert unknown.returncode == ExitCode.CONFIG and "--executor is one of inline, processes, dask" in unknown.stderr
    mixed = scan_demo(tmp_path / "y.db", "--executor", "processes", "--scheduler", "tcp://127.0.0.1:9")
    assert mixed.returncode == ExitCode.CONFIG and "a scheduler address is for the dask executor" in mixed.stderr


def test_a_scheduler_without_workers_is_a_configuration_error_not_a_scan_that_waits_for_ever() -> None:
    import logging

    from distributed import LocalCluster

    from risk_warning.errors import ConfigError
    from risk_warning.plan.partition import partition_facts

    partitions = list(partition_facts(DEMO.load().facts))
    with (
        LocalCluster(n_workers=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as empty,
        DaskExecutor(empty.scheduler_address, connect_timeout=2) as executor,
        pytest.raises(ConfigError) as caught,
    ):
        executor.run(RULESETS, partitions, AS_OF)
    assert f"the Dask scheduler at {empty.scheduler_address} has no workers after 2 s" in str(caught.value)


def test_the_workers_of_a_scans_own_local_cluster_die_with_it(tmp_path: Path) -> None:
    """A scan killed outright (the OOM killer, kill -9) leaves no worker of its LocalCluster running: each
    worker process exits when the pipe to the process that spawned it closes (distributed's nanny)."""
    from tests.executors.test_processes import kill_a_scan_with_two_workers

    gone, alive = kill_a_scan_with_two_workers(tmp_path, ["--executor", "dask", "--workers", "2"], _spawned, wait=20)
    assert alive == [], [(p.pid, p.cmdline()) for p in alive]
    assert len(gone) >= 2


def _spawned(parent: Any) -> list[Any]:
    """The worker processes under ``parent`` (multiprocessing's spawned children), as psutil sees them now."""
    import psutil

    found = []
    for child in parent.children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # gone while looked at
            continue
    return found
