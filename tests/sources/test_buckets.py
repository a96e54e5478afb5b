"""sources/spill.py and sources/buckets.py: a spilled load reads as the load in memory, and each bucket holds
exactly its subjects' partitions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from risk_warning import load_rulesets
from risk_warning.facts._base import Fact
from risk_warning.plan.partition import partition_facts
from risk_warning.sources import buckets, readers, spill
from risk_warning.sources.buckets import Buckets, bucket_of
from risk_warning.sources.directory import DirectorySource
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    generate(load_rulesets([ROOT / "rulesets"]), out, cadres=300, seed=5)
    relatives = (out / "relative.csv").read_text(encoding="utf-8").splitlines()
    bad = "R-bad,C-nobody,配偶,x,,maybe,,,,"  # 'maybe' is not a yes or no
    (out / "relative.csv").write_text("\n".join([*relatives, relatives[1], bad]) + "\n", encoding="utf-8")
    return out


def _dump(facts: list[Fact]) -> list[str]:
    return [f"{f.fact_type} {f.model_dump_json()}" for f in facts]


def test_a_spilled_load_reads_as_the_load_in_memory(export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = DirectorySource(export, spill=False).load()
    monkeypatch.setattr(readers, "STREAM_OVER", 10_000)  # and its larger files are read a window at a time
    monkeypatch.setattr(readers, "WINDOW", 3_000)
    spilled = DirectorySource(export, spill=True).load()
    assert spilled.spill is not None and whole.spill is None
    assert list(spilled.spill.path.rglob("*.arrow"))  # the rows are on disk
    assert spilled.objects  # and the records validated one by one (unit_appraisal) in memory
    assert {q.reason.value for q in spilled.quarantined} >= {"duplicate-record", "invalid-value"}
    assert _dump(spilled.facts) == _dump(whole.facts)
    assert [q.as_dict() for q in spilled.quarantined] == [q.as_dict() for q in whole.quarantined]
    assert [f.as_dict() for f in spilled.files] == [f.as_dict() for f in whole.files]
    folder = spilled.spill.path
    spilled.close()
    assert not folder.exists()


@pytest.mark.parametrize("count", [2, 7])
def test_each_bucket_holds_its_subjects_partitions_whole(
    export: Path, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = dict(partition_facts(DirectorySource(export, spill=False).load().facts))
    monkeypatch.setattr(buckets, "FLUSH_ROWS", 40)  # a file's rows of a bucket written in several files
    loaded = DirectorySource(export, spill=True).load()
    seen: set[str] = set()
    for number, part in enumerate(Buckets(loaded, count)):
        mine = {s: facts for s, facts in partition_facts(part.facts) if _bucket(s, count) == number}
        assert mine, "every bucket of a 300-cadre export has subjects"
        assert not seen & mine.keys()
        seen |= mine.keys()
        for subject, facts in mine.items():
            assert _dump(facts) == _dump(whole[subject]), subject
    assert seen == whole.keys()
    assert any(s.startswith("unit:") for s in seen)  # partitions that gather records of other subjects


def _bucket(subject: str, count: int) -> int:
    import polars as pl

    return int(pl.select(bucket_of(pl.lit(subject), count)).item())


def test_a_spill_left_by_a_process_that_is_gone_is_removed_by_the_next(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    host = spill._HOST
    left = tmp_path / f"rw-spill-{host}-{dead_pid}-abc123"
    alive = tmp_path / f"rw-spill-{host}-{os.getpid()}-def456"
    elsewhere = tmp_path / f"rw-spill-otherhost-{dead_pid}-ghi789"  # another machine's, on a shared disk
    for folder in (left, alive, elsewhere):
        (folder / "tables").mkdir(parents=True)
        (folder / "tables" / "0000001.arrow").write_bytes(b"rows")
    fresh = spill.SpillDir(tmp_path)
    assert not left.exists() and alive.exists() and elsewhere.exists() and fresh.path.exists()
    assert fresh.path.name.startswith(f"rw-spill-{host}-{os.getpid()}-")
    fresh.close()
    assert not fresh.path.exists()
