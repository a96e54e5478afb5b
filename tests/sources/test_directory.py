"""A directory source quarantines bad records with file, row, field and reason; the rest go on."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from risk_warning.errors import Reason
from risk_warning.sources import DirectorySource, MemorySource, intake


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_bad_rows_are_quarantined_and_good_rows_kept(tmp_path: Path) -> None:
    write(
        tmp_path / "appointment.csv",
        "appointment_id,cadre_id,position_id,start_date\n"
        "A1,c1,p1,2020-01-01\nA2,c2,p1,2020-02-30\nA3,,p1,2020-01-01\nA1,c9,p1,2021-01-01\n",
    )
    result = DirectorySource(tmp_path).load()
    assert [f.key for f in result.facts] == ["appointment:A1"]
    found = [(q.location.line, q.field, q.reason) for q in result.quarantined]
    assert found == [
        (3, "start_date", Reason.BAD_DATE),
        (4, "cadre_id", Reason.INVALID_VALUE),
        (5, "appointment_id", Reason.DUPLICATE_RECORD),
    ]
    assert all(q.location.path.endswith("appointment.csv") for q in result.quarantined)


def test_unknown_file_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path / "apointment.csv", "appointment_id\nA1\n")
    (q,) = DirectorySource(tmp_path).load().quarantined
    assert q.reason is Reason.UNKNOWN_FILE
    assert "did you mean 'appointment'" in q.message


def test_jsonl_and_json_and_list_fields(tmp_path: Path) -> None:
    write(
        tmp_path / "complaint.jsonl",
        '{"complaint_id": "Q1", "received_at": "2026-01-01", '
        '"subject_cadre_ids": ["c1", "c2"]}\n\n{"complaint_id": "Q2"}\n',
    )
    write(tmp_path / "complaint.csv", "complaint_id,received_at,subject_cadre_ids\nQ3,2026-01-02,c1;c3\n")
    write(tmp_path / "cadre.json", '[{"cadre_id": "c1", "reporting_scope": "是"}]')
    result = DirectorySource(tmp_path).load()
    keys = sorted(f.key for f in result.facts)
    assert keys == ["cadre:c1", "complaint:Q1", "complaint:Q3"]
    assert [(q.location.line, q.field) for q in result.quarantined] == [
        (3, "received_at"),
        (3, "subject_cadre_ids"),
    ]
    cadre = next(f for f in result.facts if f.key == "cadre:c1")
    assert cadre.reporting_scope is True  # type: ignore[attr-defined]


def test_rejected_values_are_never_echoed(tmp_path: Path) -> None:
    write(tmp_path / "cadre.csv", "cadre_id,name,gender\nc1,张三丰,男性\n")
    (q,) = DirectorySource(tmp_path).load().quarantined
    assert "男性" not in str(q) and "张三丰" not in str(q)


def test_memory_source_validates_records() -> None:
    source = MemorySource.from_records({"position": [{"position_id": "p1", "title": "x", "risk_level": "huge"}]})
    result = source.load()
    assert result.facts == []
    assert result.quarantined[0].field == "risk_level"


def test_fail_fast_raises_every_bad_record_at_once(tmp_path: Path) -> None:
    import pytest

    from risk_warning.errors import DataError

    write(
        tmp_path / "appointment.csv", "appointment_id,cadre_id,position_id,start_date\nA1,c1,p1,x\nA2,,p1,2020-01-01\n"
    )
    with pytest.raises(DataError) as info:
        DirectorySource(tmp_path, fail_fast=True).load()
    assert [(d.location.line, d.reason) for d in info.value.diagnostics] == [
        (2, Reason.BAD_DATE),
        (3, Reason.INVALID_VALUE),
    ]
    assert "appointment.csv:2:4: bad-date: start_date:" in str(info.value)


def test_a_misspelt_field_is_an_error_never_dropped() -> None:
    record = {"appointment_id": "A1", "cadre_id": "c1", "position_id": "p1", "start_date": "2019-03-01"}
    result = MemorySource.from_records({"appointment": [{**record, "end_dat": "2020-01-01"}]}).load()
    assert result.facts == []
    (q,) = result.quarantined
    assert (q.field, q.message) == ("end_dat", "unknown field (did you mean 'end_date'?)")


@pytest.mark.parametrize("spill", [False, True], ids=["in memory", "spilled"])
@pytest.mark.parametrize("dedup_rows", [2_000_000, 2], ids=["one pass", "a partition of keys at a time"])
@pytest.mark.parametrize("colliding", [False, True], ids=["hashes", "hashes that collide"])
def test_a_duplicate_key_is_quarantined_naming_the_first_record_whichever_path_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spill: bool, dedup_rows: int, colliding: bool
) -> None:
    """Keys are compared over the whole load: typed rows and rows doubted by the column checks (a 'True'
    read by its model), across files of one type; the first in load order stands. The same over a spilled
    load, when the keys are searched a hash partition at a time, and when different keys share a hash
    (here every key of two characters does): only equal keys are duplicates."""
    monkeypatch.setattr(intake, "DEDUP_ROWS", dedup_rows)
    if colliding:
        monkeypatch.setattr(intake, "key_hash", lambda key: key.str.len_bytes().cast(pl.UInt64))
    (tmp_path / "cadre.csv").write_text(
        "cadre_id,name,reporting_scope\nA1,甲,false\nA2,乙,True\nA1,丙,false\nA3,丁,false\n", encoding="utf-8"
    )
    (tmp_path / "cadre.jsonl").write_text(
        '{"cadre_id": "A2", "name": "戊"}\n{"cadre_id": "A4", "name": "己"}\n{"cadre_id": "A3", "name": "庚"}\n',
        encoding="utf-8",
    )
    loaded = DirectorySource(tmp_path, spill=spill).load()
    assert [(f.cadre_id, f.name) for f in loaded.facts] == [("A1", "甲"), ("A2", "乙"), ("A3", "丁"), ("A4", "己")]
    found = [(q.location.path.split("/")[-1], q.location.line, q.message) for q in loaded.quarantined]
    csv_path = str(tmp_path / "cadre.csv")
    assert found == [
        ("cadre.csv", 4, f"same cadre_id as {csv_path} row 2; this record was skipped"),
        ("cadre.jsonl", 1, f"same cadre_id as {csv_path} row 3; this record was skipped"),
        ("cadre.jsonl", 3, f"same cadre_id as {csv_path} row 5; this record was skipped"),
    ]
    assert all(q.reason.value == "duplicate-record" for q in loaded.quarantined)


@pytest.mark.parametrize("spill", [False, True], ids=["in memory", "spilled"])
def test_a_reference_to_a_post_not_in_the_export_is_quarantined_whichever_path_read_the_record(
    tmp_path: Path, spill: bool
) -> None:
    """Typed rows and rows the column checks doubted ('+2', read by the model) are held to the posts loaded."""
    (tmp_path / "position.csv").write_text("position_id,title,org_unit_id\nP1,科长,U1\n", encoding="utf-8")
    (tmp_path / "appointment.csv").write_text(
        "appointment_id,cadre_id,position_id,start_date,term_no\n"
        "A1,C1,P1,2020-01-01,1\nA2,C2,NOPE,2020-01-01,1\nA3,C3,NOPE2,2020-01-01,+2\nA4,C4,P1,2020-01-01,+2\n",
        encoding="utf-8",
    )
    loaded = DirectorySource(tmp_path, spill=spill).load()
    assert sorted(f.appointment_id for f in loaded.facts if f.fact_type == "appointment") == ["A1", "A4"]
    found = [(q.location.line, q.field, q.message, q.subjects) for q in loaded.quarantined]
    assert found == [
        (3, "position_id", "position_id points at no position in this export", ("C2",)),
        (4, "position_id", "position_id points at no position in this export", ("C3",)),
    ]
    (report,) = [f for f in loaded.files if f.fact_type == "appointment"]
    assert (report.read, report.accepted, dict(report.reasons)) == (4, 2, {"dangling-reference": 2})


@pytest.mark.parametrize("spill", [False, True], ids=["in memory", "spilled"])
def test_personal_identifiers_are_not_kept_past_validation_only_their_tokens(tmp_path: Path, spill: bool) -> None:
    """身份证号, phone and a bid's account are HIGH: once a record is validated (and its tokens made) the load
    holds none of them, in its facts or in the files a large load spills to; typed rows and rows the column
    checks doubted alike (reporting_scope 'True' is read by the model)."""
    ids = ["110101197203150038", "11010519491231002X"]
    (tmp_path / "cadre.csv").write_text(
        f"cadre_id,name,id_card_no,phone,reporting_scope\nC1,张三,{ids[0]},13800138001,false\n"
        f"C2,李四,{ids[1]},13800138002,True\n",
        encoding="utf-8",
    )
    (tmp_path / "bid.csv").write_text(
        "bid_id,tender_id,project_id,bidder_credit_code,price,deposit_account\nB1,T1,P1,91110000MA00000001,100,6222020200112233\n",
        encoding="utf-8",
    )
    source = DirectorySource(tmp_path, spill=spill)
    loaded = source.load()
    try:
        spilled = b"".join(f.read_bytes() for f in loaded.spill.path.rglob("*") if f.is_file()) if loaded.spill else b""
        facts = loaded.facts
    finally:
        loaded.close()
    cadres = {f.cadre_id: f for f in facts if f.fact_type == "cadre"}  # type: ignore[attr-defined]
    assert set(cadres) == {"C1", "C2"} and cadres["C2"].reporting_scope is True  # type: ignore[attr-defined]
    assert all(c.id_card_no is None and c.phone is None for c in cadres.values())  # type: ignore[attr-defined]
    (bid,) = [f for f in facts if f.fact_type == "bid"]
    assert bid.deposit_account is None and bid.deposit_account_token  # type: ignore[attr-defined]
    for secret in [*ids, "13800138001", "6222020200112233"]:
        assert secret not in repr(facts) and secret.encode() not in spilled
    assert not spill or spilled  # the spilled files were read
