"""`scan(..., started=)`: told the scan's id once it holds the lease and its run is recorded, before it
reads the export, and not at all when another scan holds the lease."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.bundled import data_path
from risk_warning.errors import ScanInProgressError


def test_started_is_told_the_running_scan_before_it_reads(tmp_path: Path) -> None:
    store = AlertStore(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        seen: list[tuple[int, str, int]] = []
        read_before: list[int] = []

        class Watched(DirectorySource):
            def load(self):  # type: ignore[no-untyped-def]
                read_before.append(len(seen))
                return super().load()

        def started(scan_id: int) -> None:
            (run,) = [r for r in store.scans() if r.id == scan_id]
            seen.append((scan_id, run.status, run.alerts))

        result = scan(load_rulesets(["core"]), Watched(data_path("demo")), date(2026, 6, 30), store=store,
                      started=started)  # fmt: skip
        assert seen == [(result.scan_id, "running", 0)] and read_before == [1]
        assert [r.status for r in store.scans()] == ["completed"]

        store.acquire_lease("someone-else")
        told: list[int] = []
        with pytest.raises(ScanInProgressError):
            scan(load_rulesets(["core"]), DirectorySource(data_path("demo")), date(2026, 7, 1), store=store,
                 started=told.append)  # fmt: skip
        assert told == []
    finally:
        store.close()
