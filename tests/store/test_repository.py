"""The store on a real SQLite file: a re-run changes nothing, a persistent condition moves last_seen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan

ROOT = Path(__file__).resolve().parents[2]


def test_rerun_does_not_duplicate_and_persistence_moves_last_seen(tmp_path: Path) -> None:
    db = tmp_path / "alerts.db"
    rulesets = load_rulesets([ROOT / "rulesets"])
    source = DirectorySource(ROOT / "fixtures" / "demo")
    store = AlertStore(f"sqlite:///{db}")
    first = scan(rulesets, source, date(2026, 6, 30), store=store)
    again = scan(rulesets, source, date(2026, 6, 30), store=store)
    later = scan(rulesets, source, date(2026, 7, 1), store=store)
    rows = store.alerts()
    store.close()
    assert db.exists()
    assert first.new_alerts == len(first.alerts) > 0
    assert again.new_alerts == 0
    assert len({r.fingerprint for r in rows}) == len(rows)
    persistent = {a.fingerprint for a in first.alerts} & {a.fingerprint for a in later.alerts}
    assert persistent
    for row in rows:
        if row.fingerprint in persistent:
            assert row.first_seen == date(2026, 6, 30) and row.last_seen == date(2026, 7, 1)
    runs = AlertStore(f"sqlite:///{db}").scans()
    assert [r.status for r in runs] == ["completed"] * 3
    assert runs[0].quarantined == 2


def test_quarantined_records_are_stored_with_their_location(tmp_path: Path) -> None:
    store = AlertStore(f"sqlite:///{tmp_path / 'q.db'}")
    result = scan(
        load_rulesets([ROOT / "rulesets"]),
        DirectorySource(ROOT / "fixtures" / "demo"),
        date(2026, 6, 30),
        store=store,
    )
    rows = store.quarantine(result.scan_id)
    assert {(Path(r.path).name, r.line, r.field) for r in rows} == {
        ("appointment.csv", 8, "start_date"),
        ("expense_claim.csv", 8, "amount"),
    }
