"""Real exports load as they are: XLSX, GBK, BOMs, Chinese headers, a site mapping, Chinese date forms.

Each format of the demo organisation must give exactly the alerts of the UTF-8 CSV with English headers.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from risk_warning import Engine, load_rulesets
from risk_warning.alerts.model import Alert
from risk_warning.errors import MappingError, Reason
from risk_warning.facts.glossary import meaning
from risk_warning.sources import DirectorySource, SiteMapping, load_mapping
from risk_warning.sources.columns import _bare, header_names

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
AS_OF = date(2026, 6, 30)


def demo_tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    tables = {}
    for path in sorted(DEMO.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        tables[path.stem] = (rows[0], rows[1:])
    return tables


def chinese(fact_type: str, header: list[str]) -> list[str]:
    """Each column under its Chinese name where that name is unambiguous for the type."""
    out = []
    for name in header:
        zh = meaning(fact_type, name)
        bare = _bare(zh[0]) if zh else ""
        out.append(bare if bare and header_names(fact_type).get(bare) == name else name)
    return out


def scan_alerts(root: Path, mapping: SiteMapping | None = None) -> tuple[list[tuple[str, str, str]], int]:
    loaded = DirectorySource(root, mapping=mapping).load()
    held = {s for q in loaded.quarantined for s in q.subjects}
    with Engine(load_rulesets([ROOT / "rulesets"])) as engine:
        alerts: list[Alert] = engine.evaluate(loaded.facts, as_of=AS_OF)
    assert all(f.balanced for f in loaded.files)
    return sorted((a.fingerprint, a.grade.value, a.subject_id) for a in alerts if a.subject_id not in held), len(
        loaded.quarantined
    )


@pytest.fixture(scope="module")
def reference() -> tuple[list[tuple[str, str, str]], int]:
    return scan_alerts(DEMO)


def test_the_demo_has_something_to_compare(reference: tuple[list[tuple[str, str, str]], int]) -> None:
    alerts, quarantined = reference
    assert len(alerts) >= 10 and quarantined == 2


def test_gbk_csv_with_chinese_headers_gives_the_same_alerts(
    tmp_path: Path, reference: tuple[list[tuple[str, str, str]], int]
) -> None:
    for fact_type, (header, rows) in demo_tables().items():
        with (tmp_path / f"{fact_type}.csv").open("w", encoding="gbk", newline="") as fh:
            csv.writer(fh).writerows([chinese(fact_type, header), *rows])
    assert "干部编号" in (tmp_path / "appointment.csv").read_bytes().decode("gbk")
    loaded = DirectorySource(tmp_path).load()
    assert {f.encoding for f in loaded.files} == {"gb18030"}
    assert scan_alerts(tmp_path) == reference


def test_utf8_with_bom_and_chinese_date_forms_gives_the_same_alerts(
    tmp_path: Path, reference: tuple[list[tuple[str, str, str]], int]
) -> None:
    forms = [
        "{y}/{m}/{d}",
        "{y}.{m:02d}.{d:02d}",
        "{y}年{m}月{d}日",
        "{y}{m:02d}{d:02d}",
        "{y}-{m:02d}-{d:02d} 00:00:00",
    ]
    n = 0
    for fact_type, (header, rows) in demo_tables().items():
        for row in rows:
            for i, value in enumerate(row):
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    continue
                row[i] = forms[n % len(forms)].format(y=day.year, m=day.month, d=day.day)
                n += 1
        with (tmp_path / f"{fact_type}.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    assert n > 50
    assert scan_alerts(tmp_path) == reference


def test_xlsx_per_fact_type_with_chinese_headers_gives_the_same_alerts(
    tmp_path: Path, reference: tuple[list[tuple[str, str, str]], int]
) -> None:
    for fact_type, (header, rows) in demo_tables().items():
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(chinese(fact_type, header))
        for row in rows:  # dates as real Excel dates, numbers as numbers, as an HR system writes them
            sheet.append([_typed(v) for v in row])
        book.save(tmp_path / f"{fact_type}.xlsx")
    assert scan_alerts(tmp_path) == reference


def test_one_workbook_with_sheets_named_through_the_mapping(
    tmp_path: Path, reference: tuple[list[tuple[str, str, str]], int]
) -> None:
    names = {fact_type: f"表{i}" for i, fact_type in enumerate(demo_tables())}
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for fact_type, (header, rows) in demo_tables().items():
        sheet = book.create_sheet(names[fact_type])
        sheet.append(header)
        for row in rows:
            sheet.append([_typed(v) for v in row])
    book.save(tmp_path / "干部监督数据导出.xlsx")
    mapping = tmp_path.parent / "mapping.yaml"
    mapping.write_text("files:\n" + "".join(f"  {v}: {k}\n" for k, v in names.items()), encoding="utf-8")
    assert scan_alerts(tmp_path, load_mapping(mapping)) == reference


def _typed(value: str) -> object:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return int(value) if value.isdigit() and not value.startswith("0") else float(value)
    except ValueError:
        return value


# -- headers ----------------------------------------------------------------------------------------
def test_a_misspelt_column_refuses_the_file_and_names_the_field_it_meant(tmp_path: Path) -> None:
    (tmp_path / "appointment.csv").write_text(
        "appointment_id,cadre_id,position_id,start_date,end_dat\nA1,c1,p1,2019-03-01,2020-01-01\n", encoding="utf-8"
    )
    loaded = DirectorySource(tmp_path).load()
    assert loaded.facts == []
    (report,) = loaded.files
    assert report.refused and report.read == 1 and report.quarantined == 1
    (q,) = loaded.quarantined
    assert q.reason is Reason.UNKNOWN_COLUMN
    assert "'end_dat' (did you mean 'end_date'? = end_date?)" not in q.message
    assert "'end_dat'" in q.message and "end_date" in q.message and "mapping" in q.message
    assert loaded.refused_types == {"appointment"}


def test_a_missing_required_column_is_one_file_level_error(tmp_path: Path) -> None:
    rows = "".join(f"A{i},c{i},2019-03-01\n" for i in range(50))
    (tmp_path / "appointment.csv").write_text("appointment_id,cadre_id,start_date\n" + rows, encoding="utf-8")
    loaded = DirectorySource(tmp_path).load()
    (q,) = loaded.quarantined
    assert q.reason is Reason.MISSING_COLUMN and "position_id (职位编号)" in q.message
    assert loaded.files[0].read == 50 and loaded.files[0].quarantined == 50


def test_zero_and_impossible_dates_are_quarantined_never_1970(tmp_path: Path) -> None:
    (tmp_path / "appointment.csv").write_text(
        "任职记录编号,干部编号,职位编号,任职时间\nA1,c1,p1,0\nA2,c2,p1,2019-02-30\nA3,c3,p1,1899-12-31\nA4,c4,p1,2019.03\n",
        encoding="utf-8",
    )
    loaded = DirectorySource(tmp_path).load()
    assert [(q.location.line, q.location.col, q.reason, q.subjects) for q in loaded.quarantined] == [
        (2, 4, Reason.BAD_DATE, ("c1",)),
        (3, 4, Reason.BAD_DATE, ("c2",)),
        (4, 4, Reason.BAD_DATE, ("c3",)),
    ]
    (fact,) = loaded.facts
    assert fact.start_date == date(2019, 3, 1) and fact.month_only == {"start_date"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected", "month_only"),
    [
        ("2019-03-01", date(2019, 3, 1), False),
        ("2019/3/1", date(2019, 3, 1), False),
        ("2019.03.01", date(2019, 3, 1), False),
        ("2019.03", date(2019, 3, 1), True),
        ("201903", date(2019, 3, 1), True),
        ("20190301", date(2019, 3, 1), False),
        ("2019年3月1日", date(2019, 3, 1), False),
        ("2019年3月", date(2019, 3, 1), True),
        ("43525", date(2019, 3, 1), False),  # an Excel serial day
        ("2019-3-1 08:30", date(2019, 3, 1), False),
    ],
)
def test_chinese_date_forms(tmp_path: Path, text: str, expected: date, month_only: bool) -> None:
    (tmp_path / "cadre.csv").write_text(f"cadre_id,birth_date\nc1,{text}\n", encoding="utf-8")
    (fact,) = DirectorySource(tmp_path).load().facts
    assert fact.birth_date == expected  # type: ignore[attr-defined]
    assert (fact.month_only == {"birth_date"}) is month_only


def test_a_month_only_date_is_marked_in_the_alerts_evidence(tmp_path: Path) -> None:
    (tmp_path / "appointment.csv").write_text(
        "appointment_id,cadre_id,position_id,start_date\nA1,c1,p1,2015.03\n", encoding="utf-8"
    )
    (tmp_path / "position.csv").write_text("position_id,title,category,risk_level\np1,财务科科长,财务,high\n")
    loaded = DirectorySource(tmp_path).load()
    with Engine(load_rulesets([ROOT / "rulesets"])) as engine:
        alerts = engine.evaluate(loaded.facts, as_of=AS_OF)
    tenure = next(a for a in alerts if a.rule_id == "rotation.keypost-tenure")
    (evidence,) = [e for e in tenure.evidence if e.fact_type == "appointment"]
    assert evidence.fields["start_date"] == "2015-03-01" and evidence.month_only == ["start_date"]


# -- the mapping file -----------------------------------------------------------------------------------
def test_a_mapping_maps_headers_codes_and_ignored_columns(tmp_path: Path) -> None:
    mapping = tmp_path / "site.yaml"
    mapping.write_text(
        "columns:\n  cadre: {人员代码: cadre_id}\nignore: [序号]\n"
        "values:\n  cadre.gender: GB/T 2261.1\n  cadre.political_status: GB/T 4762\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "cadre.csv").write_text("序号,人员代码,性别,政治面貌\n1,c1,1,01\n2,c2,2,13\n3,c3,0,05\n", encoding="utf-8")
    facts = DirectorySource(data, mapping=mapping).load().facts
    got = [(f.cadre_id, f.gender, f.political_status) for f in facts]  # type: ignore[attr-defined]
    assert got == [("c1", "男", "中共党员"), ("c2", "女", "群众"), ("c3", None, "民主党派")]


def test_mapping_file_errors_are_located_with_suggestions(tmp_path: Path) -> None:
    mapping = tmp_path / "site.yaml"
    mapping.write_text(
        "files:\n  任免: apointment\n"
        "columns:\n  cadre:\n    人员代码: cadre_idd\n"
        "value:\n  x: 1\n"
        "values:\n  cadre.gender: GB/T 2261\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as info:
        load_mapping(mapping)
    found = [(d.location.line, d.location.col, d.reason, d.suggestion) for d in info.value.diagnostics]
    assert found == [
        (6, 1, Reason.UNKNOWN_KEY, "did you mean 'values'?"),
        (2, 7, Reason.UNKNOWN_FACT_TYPE, "did you mean 'appointment'?"),
        (5, 11, Reason.UNKNOWN_FIELD, "did you mean 'cadre_id'?"),
        (9, 17, Reason.BAD_VALUE, "did you mean 'GB/T 2261.1'?"),
    ]
    assert str(info.value.diagnostics[0]).startswith(f"{mapping}:6:1: unknown-key")


def test_other_files_in_the_directory_are_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "cadre.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "signal.csv").write_text("signal_id\ns1\n", encoding="utf-8")
    reasons = sorted((Path(q.location.path).name, q.reason) for q in DirectorySource(tmp_path).load().quarantined)
    assert reasons == [("cadre.xls", Reason.UNKNOWN_FILE), ("signal.csv", Reason.STORE_OWNED)]


# -- encodings --------------------------------------------------------------------------------------
ROWS = "cadre_id,name\n" + "".join(f"c{i},张三{i}\n" for i in range(40))


def test_one_undecodable_byte_quarantines_its_record_and_reading_goes_on(tmp_path: Path) -> None:
    data = bytearray(ROWS.encode("utf-8"))
    at = data.index("c7,张".encode()) + 3
    data[at] = 0xFF
    (tmp_path / "cadre.csv").write_bytes(bytes(data))
    loaded = DirectorySource(tmp_path).load()
    (report,) = loaded.files
    assert (report.encoding, report.read, report.accepted, report.quarantined) == ("utf-8", 40, 39, 1)
    (q,) = loaded.quarantined
    assert (q.location.line, q.reason, q.subjects) == (9, Reason.BROKEN_RECORD, ("c7",))


def test_a_gbk_file_with_a_bad_byte_is_still_gbk(tmp_path: Path) -> None:
    data = bytearray(ROWS.encode("gbk"))
    data[data.index(b"c9,") + 3] = 0xFF
    (tmp_path / "cadre.csv").write_bytes(bytes(data))
    (report,) = DirectorySource(tmp_path).load().files
    assert (report.encoding, report.accepted, report.quarantined) == ("gb18030", 39, 1)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (ROWS.encode("utf-16"), "UTF-16"),
        (("cadre_id,name\n" + "".join(f"c{i},Müller{i}\n" for i in range(5))).encode("latin-1"), "cannot tell"),
    ],
    ids=["utf-16", "latin-1"],
)
def test_an_undecidable_or_unsupported_encoding_refuses_the_file(tmp_path: Path, data: bytes, words: str) -> None:
    (tmp_path / "cadre.csv").write_bytes(data)
    loaded = DirectorySource(tmp_path).load()
    (report,) = loaded.files
    assert report.refused and words in report.refused and "UTF-8" in report.refused
    assert loaded.facts == [] and loaded.refused_types == {"cadre"}
