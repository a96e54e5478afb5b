"""A bad export night never clears an alert: empty, missing, shrunken or broken input leaves the alert
table exactly as it was, is recorded as refused with its reasons, and an operator can accept a real drop."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.errors import ScanRefusedError
from risk_warning.rules.program import Ruleset
from risk_warning.run.input_check import InputPolicy

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
NIGHT1, NIGHT2 = date(2026, 6, 30), date(2026, 7, 1)
LENIENT = InputPolicy(max_quarantined=0.2)  # the demo carries two deliberately bad records in small files


@pytest.fixture(scope="module")
def rulesets() -> list[Ruleset]:
    return load_rulesets([ROOT / "rulesets"])


def snapshot(store: AlertStore) -> list[tuple[object, ...]]:
    return sorted(
        (r.fingerprint, r.grade, r.status, r.first_seen, r.last_seen, r.cleared_at, r.last_scan_id, r.as_of)
        for r in store.alerts()
    )


def export(tmp_path: Path, name: str, *, without: set[str] = frozenset(), drop_file: str = "") -> Path:  # type: ignore[assignment]
    """The demo export, less some cadres (every row that names them) or one whole file."""
    out = tmp_path / name
    out.mkdir()
    for src in sorted(DEMO.glob("*.csv")):
        if src.stem == drop_file:
            continue
        with src.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        keep = [r for r in rows[1:] if not any(set(cell.split(";")) & without for cell in r)]
        with (out / src.name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([rows[0], *keep])
    return out


@pytest.fixture
def first_night(store_url: str, rulesets: list[Ruleset]) -> Iterator[AlertStore]:
    store = AlertStore(store_url)
    scan(rulesets, DirectorySource(DEMO), NIGHT1, store=store, policy=LENIENT)
    (alert,) = [a for a in store.alerts() if a.subject_id == "C003"][:1]
    store.dispose(alert.id or 0, "函询", NIGHT1, "市纪委监委", "监督科", reply_due=date(2026, 7, 22))
    yield store
    store.close()


def refused(store: AlertStore, rulesets: list[Ruleset], data: Path, policy: InputPolicy = LENIENT) -> list[str]:
    before = snapshot(store)
    with pytest.raises(ScanRefusedError) as info:
        scan(rulesets, DirectorySource(data), NIGHT2, store=store, policy=policy)
    assert snapshot(store) == before  # not one alert moved
    run = store.scans()[-1]
    assert run.status == "refused" and run.input_problems == info.value.reasons
    return info.value.reasons


def test_an_empty_directory_is_refused(first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    reasons = refused(first_night, rulesets, tmp_path / "empty")
    assert "no input at all: no record was read" in reasons
    assert any(r.startswith("appointment: 6 record(s) last time, missing or empty tonight") for r in reasons)


def test_a_missing_fact_file_is_refused(first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path) -> None:
    reasons = refused(first_night, rulesets, export(tmp_path, "less", drop_file="education_record"))
    assert reasons == ["education_record: 6 record(s) last time, missing or empty tonight"]


def test_a_thirty_percent_drop_is_refused_then_accepted_by_name(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    gone = {"C001", "C002", "C003", "C004"}
    data = export(tmp_path, "reorganised", without=gone)
    reasons = refused(first_night, rulesets, data)
    assert "subjects dropped from 14 to 10 (29%; the limit is 10%)" in reasons
    assert "expense_claim: 6 record(s) last time, missing or empty tonight" in reasons  # all theirs
    absent_before = [r for r in snapshot(first_night) if r[0] in _fingerprints(first_night, gone)]
    policy = InputPolicy(max_quarantined=0.2, accepted_by="组织部 李**")
    result = scan(rulesets, DirectorySource(data), NIGHT2, store=first_night, policy=policy)
    assert result.accepted == reasons
    run = first_night.scans()[-1]
    assert (run.status, run.accepted_by) == ("completed", "组织部 李**")
    assert run.input_problems == [*reasons, *result.over_limit]  # what was accepted, and files over the limit
    # the absent cadres' alerts are exactly as they were, the one in 函询 included
    assert [r for r in snapshot(first_night) if r[0] in _fingerprints(first_night, gone)] == absent_before
    assert {r.status for r in first_night.alerts() if r.subject_id == "C003"} >= {"in_disposition"}


def test_a_cadre_missing_from_the_export_keeps_his_alerts(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    mine = _fingerprints(first_night, {"C003"})
    before = [r for r in snapshot(first_night) if r[0] in mine]
    assert before
    result = scan(rulesets, DirectorySource(export(tmp_path, "one-less", without={"C003"})), NIGHT2, store=first_night)
    assert "C003" not in result.subjects_seen and first_night.scans()[-1].status == "completed"
    assert [r for r in snapshot(first_night) if r[0] in mine] == before
    others = [r for r in first_night.alerts() if r.subject_id == "C005"]
    assert others and all(r.last_seen == NIGHT2 for r in others)  # the rest of the night went ahead


def test_a_broken_file_is_a_data_error_and_not_accepted_by_name(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    data = export(tmp_path, "misspelt")
    text = (data / "appointment.csv").read_text(encoding="utf-8")
    (data / "appointment.csv").write_text(text.replace("end_date", "end_dat", 1), encoding="utf-8")
    policy = InputPolicy(max_quarantined=0.2, accepted_by="someone")
    reasons = refused(first_night, rulesets, data, policy)
    assert any("appointment.csv: the file was refused: unknown column(s) 'end_dat'" in r for r in reasons)
    data_quality = first_night.scans()[-1].data_quality or []
    assert next(f for f in data_quality if f["fact_type"] == "appointment")["refused"]


def test_quarantine_beyond_the_limit_with_every_subject_named_holds_them_and_writes_the_rest(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    result = scan(rulesets, DirectorySource(export(tmp_path, "same")), NIGHT2, store=first_night)
    files = sorted(r.split(":")[0].rsplit("/", 1)[1] for r in result.over_limit)
    assert files == ["appointment.csv", "expense_claim.csv"]
    assert "1 of 7 records quarantined (14.3%; the limit is 1.0%)" in result.over_limit[0]
    assert first_night.scans()[-1].input_problems == result.over_limit and result.held_subjects


def test_quarantine_beyond_the_limit_naming_no_subject_is_refused(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    data = export(tmp_path, "garbled")
    lines = (data / "education_record.csv").read_bytes().split(b"\n")
    lines[2] = b'"' + lines[2]  # a quote never closed: not even the id can be read
    (data / "education_record.csv").write_bytes(b"\n".join(lines))
    (reason,) = refused(first_night, rulesets, data, InputPolicy(max_quarantined=0.15))
    assert "education_record.csv: 1 of 6 records quarantined" in reason and "naming no subject" in reason


def test_a_quarantined_record_holds_its_subject_back(
    first_night: AlertStore, rulesets: list[Ruleset], tmp_path: Path
) -> None:
    data = export(tmp_path, "bad-date")
    mine = _fingerprints(first_night, {"C012"})
    before = [r for r in snapshot(first_night) if r[0] in mine]
    with (data / "education_record.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    date_col = rows[0].index("date")
    for row in rows[1:]:
        if "C012" in row:
            row[date_col] = "0"
    with (data / "education_record.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = scan(rulesets, DirectorySource(data), NIGHT2, store=first_night, policy=InputPolicy(max_quarantined=0.5))
    assert "C012" in result.held_subjects and "C012" not in result.subjects_seen
    assert [r for r in snapshot(first_night) if r[0] in mine] == before
    assert first_night.scans()[-1].held_subjects == len(result.held_subjects)


def _fingerprints(store: AlertStore, subjects: set[str]) -> set[str]:
    return {r.fingerprint for r in store.alerts() if r.subject_id in subjects}


def test_demo_copy_helper_drops_every_row_naming_a_cadre(tmp_path: Path) -> None:
    data = export(tmp_path, "x", without={"C001"})
    assert "C001" not in "".join(p.read_text(encoding="utf-8") for p in data.glob("*.csv"))
