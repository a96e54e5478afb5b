"""A site calendar file (rules/calendar_file.py): a year the package does not have yet, corrections, and
every mistake a located error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.facts.normalise import day_number
from risk_warning.rules.calendar_file import load_calendar
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, CalendarError

YEAR_2027 = """\
calendar: 2027 (test)
years: [2027]
holidays:
  - 2027-01-01
  - {from: 2027-02-08, to: 2027-02-12}   # a Spring Festival week, Monday to Friday
workdays: [2027-02-14]                     # a Sunday worked
"""


def n(text: str) -> int:
    return day_number(date.fromisoformat(text))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, int, Reason, str]]:
    with pytest.raises(RulesetError) as info:
        load_calendar(path)
    return [(d.location.line, d.location.col, d.reason, d.message) for d in info.value.diagnostics]


def test_a_year_added_by_the_file(tmp_path: Path) -> None:
    calendar = load_calendar(write(tmp_path, YEAR_2027))
    assert not calendar.is_workday(n("2027-01-01"))
    assert calendar.is_workday(n("2027-01-04"))
    assert not calendar.is_workday(n("2027-02-10"))
    assert calendar.is_workday(n("2027-02-14"))
    assert not calendar.is_workday(n("2027-02-13"))  # an ordinary Saturday
    # counted across the years of the package and the file
    assert calendar.workdays_between(n("2026-12-31"), n("2027-01-04")) == 2
    assert calendar.add_workdays(n("2027-02-05"), 1) == n("2027-02-14")
    with pytest.raises(CalendarError, match=r"covers 2028 .*site calendar file .*calendar.yaml"):
        calendar.is_workday(n("2028-01-03"))
    assert calendar.digest != BUILT_IN_CALENDAR.digest


def test_a_correction_to_a_year_of_the_package(tmp_path: Path) -> None:
    calendar = load_calendar(write(tmp_path, "holidays: [2026-06-05]\nworkdays: [2026-06-06]\n"))
    assert not calendar.is_workday(n("2026-06-05"))
    assert calendar.is_workday(n("2026-06-06"))
    assert calendar.workdays_between(n("2026-06-01"), n("2026-06-07")) == 5
    assert BUILT_IN_CALENDAR.is_workday(n("2026-06-05"))  # the package's calendar is left as it was


def test_a_year_listed_is_defined_by_the_file_alone(tmp_path: Path) -> None:
    calendar = load_calendar(write(tmp_path, "years: [2026]\n"))
    assert calendar.is_workday(n("2026-10-01"))  # no holidays listed: an ordinary Thursday
    assert not calendar.is_workday(n("2026-10-10"))  # nor 调休


def test_mistakes_are_located(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "holidays:\n  - 2026-06-05\n  - 2028-01-03\n"))
    assert found == [(3, 5, Reason.BAD_VALUE, "2028-01-03 is in 2028, which no calendar covers")]
    found = problems(write(tmp_path, "years: [2028]\n"))
    assert found == [(1, 8, Reason.BAD_VALUE, "the covered years would have a gap: 2027")]
    found = problems(write(tmp_path, "holidays: [{from: 2026-06-05, to: 2026-06-01}]\n"))
    assert found[0][:3] == (1, 12, Reason.BAD_VALUE)
    found = problems(write(tmp_path, "holidays: [2026-06-05]\nworkdays: [2026-06-05]\n"))
    assert found[0][2:] == (Reason.BAD_VALUE, "2026-06-05 is listed as a holiday and as a workday")
    found = problems(write(tmp_path, "holidays: [2026-02-30]\n"))
    assert found[0][:2] == (1, 12)
    found = problems(write(tmp_path, "holiday: [2026-06-05]\n"))
    assert found[0][:3] == (1, 1, Reason.UNKNOWN_KEY)
    found = problems(write(tmp_path, "years: [1800]\n"))
    assert found[0][:2] == (1, 9)


def test_an_unreadable_file_is_an_error_with_its_name(tmp_path: Path) -> None:
    assert problems(tmp_path / "missing.yaml")[0][3].startswith("cannot read the calendar file")
    path = tmp_path / "gbk.yaml"
    path.write_bytes("calendar: 某省2027年工作日历\n".encode("gbk"))
    said = "the calendar file is not UTF-8 (it reads as GBK/GB18030): byte 0xC4 cannot start or continue a UTF-8 "
    said += "character"
    # 某 and 省 happen to be valid UTF-8 byte pairs in GBK (C4 B3, CA A1); 年 (C4 EA) is the first that is not
    assert problems(path) == [(1, 17, Reason.ENCODING, said)]
