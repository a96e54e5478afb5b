"""Corrupt a generated export in every way an export goes bad: every record is still accounted for
(read = accepted + quarantined, per file), and every planted alert of an untouched subject is still found."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path

import pytest

from risk_warning import DirectorySource, load_rulesets, scan
from risk_warning.errors import Reason
from risk_warning.testing.synthetic import generate
from risk_warning.testing.synthetic.planted import outcomes
from risk_warning.testing.synthetic.score import read_ground_truth

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A 400-cadre organisation with its planted scenarios, corrupted file by file; returns the touched ids."""
    out = tmp_path_factory.mktemp("corrupt")
    generate(load_rulesets([ROOT / "rulesets"]), out, cadres=400, seed=5)
    rng = random.Random(5)
    touched: set[str] = set()

    def rows(name: str) -> tuple[list[str], list[list[str]]]:
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            data = list(csv.reader(fh))
        return data[0], data[1:]

    def touch(row: list[str]) -> None:
        touched.update(v for cell in row for v in cell.split(";") if v)

    # bad bytes in the middle of a line, in the GBK file the export system wrote
    header, body = rows("education_record")
    victims = rng.sample(range(len(body)), 5)
    for i in victims:
        touch(body[i])
    text = "\n".join(",".join(r) for r in [header, *body]) + "\n"
    data = bytearray(text.encode("gbk"))
    for i in victims:
        line = text.split("\n")[i + 1]
        at = data.index(line.encode("gbk")) + len(line.encode("gbk")) // 2
        data[at] = 0xFF
    (out / "education_record.csv").write_bytes(bytes(data))

    # broken quoting and an oversized field, with a BOM
    header, body = rows("org_life_attendance")
    i, j = rng.sample(range(len(body)), 2)
    touch(body[i])
    touch(body[j])
    lines = [",".join(header)] + [",".join(r) for r in body]
    lines[i + 1] = lines[i + 1].replace(",", ',"', 1)
    lines[j + 1] = lines[j + 1] + "x" * 10_000
    (out / "org_life_attendance.csv").write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))

    # the appraisals as JSONL with two truncated lines
    header, body = rows("appraisal_result")
    (out / "appraisal_result.csv").unlink()
    json_lines = [json.dumps(dict(zip(header, r, strict=True)), ensure_ascii=False) for r in body]
    for i in rng.sample(range(len(json_lines)), 2):
        touch(body[i])
        json_lines[i] = json_lines[i][: len(json_lines[i]) // 2]
    (out / "appraisal_result.jsonl").write_text("\n".join(json_lines) + "\n", encoding="utf-8")

    # a duplicate id, and an appointment to a post that does not exist
    header, body = rows("appointment")
    dup = list(body[rng.randrange(len(body))])
    touch(dup)
    dangling = list(body[rng.randrange(len(body))])
    touch(dangling)
    dangling[header.index("appointment_id")] += "-x"
    dangling[header.index("position_id")] = "NO-SUCH-POST"
    with (out / "appointment.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([dup, dangling])

    # an empty file of a type that had no rows anyway, and a header-only one
    (out / "volunteer_activity.csv").write_text("", encoding="utf-8")
    return out, touched


def test_every_record_is_accepted_or_quarantined(corrupted: tuple[Path, set[str]]) -> None:
    out, _ = corrupted
    loaded = DirectorySource(out).load()
    assert loaded.files and all(f.balanced for f in loaded.files), [f for f in loaded.files if not f.balanced]
    by_file = {Path(f.path).name: f for f in loaded.files}
    assert by_file["education_record.csv"].encoding == "gb18030"
    assert by_file["education_record.csv"].reasons == {"broken-record": 5}
    assert by_file["org_life_attendance.csv"].reasons == {"broken-record": 2}
    assert by_file["appraisal_result.jsonl"].reasons == {"broken-record": 2}
    assert by_file["appointment.csv"].reasons == {"duplicate-record": 1, "dangling-reference": 1}
    assert by_file["volunteer_activity.csv"].read == 0 and not by_file["volunteer_activity.csv"].refused
    assert not loaded.refused_types
    reasons = {q.reason for q in loaded.quarantined}
    assert reasons == {Reason.BROKEN_RECORD, Reason.DUPLICATE_RECORD, Reason.DANGLING_REFERENCE}


def test_planted_alerts_of_untouched_subjects_are_all_found(corrupted: tuple[Path, set[str]]) -> None:
    out, touched = corrupted
    result = scan(load_rulesets([ROOT / "rulesets"]), DirectorySource(out), AS_OF)
    raised = outcomes(result.alerts)
    held = set(result.held_subjects)
    assert held and held <= touched | {s for s in held if s.startswith(("unit:", "project:", "contract:"))}
    untouched = {t for t in read_ground_truth(out) if t[1] not in touched and t[1] not in held}
    assert len(untouched) > 100
    assert untouched <= raised
    # nothing is raised about a held subject: its alerts wait for a clean export
    assert not {r for r in raised if r[1] in held}
