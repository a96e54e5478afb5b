"""Working days the scan needs and no calendar has: the scan stops (exit 2, nothing written) and names the year
and the file to extend; a site calendar file that adds the year lets the same scan through."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALENDAR_2027 = """\
calendar: 2027 (test)
years: [2027]
holidays: [2027-01-01, {from: 2027-02-08, to: 2027-02-12}]
workdays: [2027-02-14]
"""


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def demo_with_a_december_inquiry(tmp_path: Path) -> Path:
    """The demo export and one 函询 sent on 2026-12-28 with no due date and no reply: its 15 working days
    run into 2027, which chinesecalendar 1.11.0 does not have."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "demo", data)
    with (data / "intervention.csv").open("a", encoding="utf-8") as f:
        f.write("I900,C003,函询,1,complaints,市纪委监委,2026-12-28,,,,\n")
    return data


def scan(data: Path, db: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run(
        "scan", "--data", str(data), "--as-of", "2027-02-26", "--db", f"sqlite:///{db}",
        "--max-quarantined", "0.2", "--workers", "0", "--format", "json", *extra, env=env,
    )  # fmt: skip


def test_a_year_no_calendar_covers_stops_the_scan_and_a_site_calendar_lets_it_through(tmp_path: Path) -> None:
    data = demo_with_a_december_inquiry(tmp_path)
    db = tmp_path / "rw.db"
    refused = scan(data, db)
    assert refused.returncode == 2, refused.stderr
    assert "no working-day calendar covers 2027" in refused.stderr
    assert "add 2027 under years:" in refused.stderr and "nothing was written" in refused.stderr
    assert "Traceback" not in refused.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from alert").fetchone() == (0,)

    calendar = tmp_path / "calendar.yaml"
    calendar.write_text(CALENDAR_2027, encoding="utf-8")
    done = scan(data, db, "--calendar", str(calendar))
    assert done.returncode == 0, done.stderr
    alerts = json.loads(done.stdout)["alerts"]
    overdue = [a for a in alerts if a["rule_id"] == "complaints.inquiry-reply-overdue" and a["subject_id"] == "C003"]
    assert [a["grade"] for a in overdue] == ["yellow"]

    # the same by RW_CALENDAR, in a fresh store
    by_setting = scan(data, tmp_path / "other.db", env={"RW_CALENDAR": str(calendar)})
    assert by_setting.returncode == 0, by_setting.stderr


def test_a_wrong_calendar_file_is_located_with_exit_2(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text("years: [2027]\nholidays: [2028-01-03]\n", encoding="utf-8")
    result = run("validate", "rulesets", "--calendar", str(calendar))
    assert result.returncode == 2
    assert f"{calendar}:2:12: bad-value: 2028-01-03 is in 2028, which no calendar covers" in result.stderr


def test_rule_tests_run_with_the_site_calendar(tmp_path: Path) -> None:
    """A site that makes 2026-06-05 a holiday: the shipped four-to-five-day publicity test then fails,
    because Monday to Friday is four working days there; without the file it passes."""
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text("holidays: [2026-06-05]\n", encoding="utf-8")
    shipped = ROOT / "rulesets" / "core" / "selection.yaml"
    assert run("test", str(shipped)).returncode == 0
    result = run("test", str(shipped), "--calendar", str(calendar))
    assert result.returncode == 1
    assert "FAIL selection.publicity-short: four days is short, five days is not flagged" in result.stderr
