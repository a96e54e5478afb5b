"""A scan of a spilled load, a bucket of subjects at a time, writes what the scan in one piece writes."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from risk_warning import AlertStore, load_rulesets
from risk_warning.run import scan as run_scan
from risk_warning.run.input_check import InputPolicy
from risk_warning.run.scan import ScanResult, scan
from risk_warning.settings import settings
from risk_warning.sources import readers
from risk_warning.sources.directory import DirectorySource
from risk_warning.store.stored import StoredAlert
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)
POLICY = InputPolicy(max_subject_drop=1.0, max_quarantined=1.0)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    generate(load_rulesets([ROOT / "rulesets"]), out, cadres=400, seed=3)
    cadres = (out / "cadre.csv").read_text(encoding="utf-8").splitlines()
    (out / "cadre.csv").write_text("\n".join([*cadres, cadres[3]]) + "\n", encoding="utf-8")  # a held subject
    return out


def _figures(result: ScanResult) -> dict[str, Any]:
    return {
        "alerts": [a.model_dump(mode="json") for a in result.alerts],
        "seen": result.subjects_seen,
        "held": result.held_subjects,
        "screened": result.screened_subjects,
        "quarantined": [q.as_dict() for q in result.quarantined],
        "counts": (result.subjects, result.facts, result.engine_subjects, result.planned_subjects),
        "carried": result.carried_subjects,
        "written": (result.new_alerts, result.cleared_alerts),
    }


def _stored(store: AlertStore) -> list[tuple[Any, ...]]:
    def row(a: StoredAlert) -> tuple[Any, ...]:
        return (a.fingerprint, a.subject_id, a.org_unit_id, a.status, a.grade, a.first_seen, a.last_seen)

    return sorted(row(a) for a in store.alerts())


@pytest.mark.parametrize("buckets", [1, 3, 8])
def test_a_scan_in_buckets_is_the_scan_in_one_piece(
    export: Path, tmp_path: Path, buckets: int, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setattr(readers, "STREAM_OVER", 10_000)  # the larger files read a window at a time, when spilled
    monkeypatch.setattr(readers, "WINDOW", 3_000)
    if buckets == 3:  # the partitions let through given to the executor bucket by bucket, not once at the end
        monkeypatch.setattr(run_scan, "EVALUATE_AT", 1)
    if buckets == 8:  # two buckets looked at side by side
        monkeypatch.setenv("RW_SCAN_BUCKETS_AT_ONCE", "2")
        settings.cache_clear()
        request.addfinalizer(settings.cache_clear)
    rulesets = load_rulesets([ROOT / "rulesets"])
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the spilled loads are kept
    one, split = AlertStore(f"sqlite:///{tmp_path / 'one.db'}"), AlertStore(f"sqlite:///{tmp_path / 'split.db'}")
    for as_of, full in [(AS_OF, True), (AS_OF + timedelta(days=40), False)]:
        with monkeypatch.context() as whole_files:
            whole_files.setattr(readers, "STREAM_OVER", 1 << 40)
            whole = scan(rulesets, DirectorySource(export, spill=False), as_of, store=one, full=full, policy=POLICY)
        spilled = DirectorySource(export, spill=True)
        parts = scan(rulesets, spilled, as_of, store=split, full=full, policy=POLICY, buckets=buckets)
        assert _figures(parts) == _figures(whole)
        assert list(scratch.iterdir()) == []
        assert _stored(split) == _stored(one)
        assert split.last_input_profile() == one.last_input_profile()  # read a table at a time when spilled
    assert whole.alerts and whole.held_subjects and whole.carried_subjects
    assert not list(scratch.iterdir())  # each scan removed its spilled rows


def test_the_bucket_count_follows_rw_scan_bucket_mb(export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rulesets = load_rulesets([ROOT / "rulesets"])
    size = sum(p.stat().st_size for p in export.iterdir() if p.is_file())
    assert size > 1 << 20
    counts = {}
    for mb in ["1", "1000"]:
        monkeypatch.setenv("RW_SCAN_BUCKET_MB", mb)
        settings.cache_clear()
        result = scan(rulesets, DirectorySource(export), AS_OF, policy=POLICY)
        counts[mb] = (result.buckets, len(result.alerts))
    settings.cache_clear()
    assert counts == {"1": (-(-size // (1 << 20)), counts["1000"][1]), "1000": (1, counts["1000"][1])}


def test_worker_processes_evaluate_a_spilled_load_as_the_scanning_process_does(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers hold a copy of the spilled load: letting go of it must not remove the parent's files."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    rulesets = load_rulesets([ROOT / "rulesets"])
    alone = scan(rulesets, DirectorySource(export, spill=True), AS_OF, policy=POLICY, buckets=4)
    forked = scan(rulesets, DirectorySource(export, spill=True), AS_OF, policy=POLICY, buckets=4, workers=2)
    assert _figures(forked) == _figures(alone) and forked.alerts
    assert not list(scratch.iterdir())
