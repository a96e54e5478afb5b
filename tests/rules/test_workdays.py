"""The working-day calendar (rules/workdays.py): the State Council's days through chinesecalendar, the four
functions' stated meaning, and a year no calendar covers as an error, never a guess."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_warning.facts.normalise import day_number, from_day_number
from risk_warning.rules.interpret import Scope, evaluate
from risk_warning.rules.parser import parse_expression
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, CalendarError, weekday

CAL = BUILT_IN_CALENDAR
COVERED = st.dates(min_value=date(2004, 3, 1), max_value=date(2026, 10, 31))  # room for 60 days either way


def n(text: str) -> int:
    return day_number(date.fromisoformat(text))


@pytest.mark.parametrize(
    ("day", "works"),
    [
        ("2026-09-30", True),  # the Wednesday before 国庆
        ("2026-10-01", False),  # 国庆
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # a Saturday worked (调休)
        ("2026-10-11", False),  # an ordinary Sunday
        ("2026-09-20", True),  # a Sunday worked (调休)
        ("2026-06-19", False),  # 端午, a Friday
        ("2026-06-18", True),
        ("2004-01-01", False),  # the first year the package has
    ],
)
def test_the_state_councils_working_days(day: str, works: bool) -> None:
    assert CAL.is_workday(n(day)) is works


def test_weekday_is_iso_monday_one_to_sunday_seven_and_needs_no_calendar() -> None:
    assert [weekday(n(f"2026-06-{d:02d}")) for d in range(1, 8)] == [1, 2, 3, 4, 5, 6, 7]
    assert weekday(n("2099-01-01")) == 4


def test_workdays_between_counts_both_ends() -> None:
    assert CAL.workdays_between(n("2026-06-01"), n("2026-06-05")) == 5  # Monday to Friday
    assert CAL.workdays_between(n("2026-06-04"), n("2026-06-08")) == 3  # over a weekend
    assert CAL.workdays_between(n("2026-09-30"), n("2026-10-09")) == 3  # over 国庆
    assert CAL.workdays_between(n("2026-06-06"), n("2026-06-06")) == 0  # a Saturday alone
    assert CAL.workdays_between(n("2026-06-05"), n("2026-06-01")) == -3  # backwards: zero or less


def test_add_workdays_does_not_count_the_first_day() -> None:
    assert CAL.add_workdays(n("2026-06-05"), 1) == n("2026-06-08")  # Friday + 1 = Monday
    assert CAL.add_workdays(n("2026-06-01"), 15) == n("2026-06-23")  # 端午 (06-19) skipped
    assert CAL.add_workdays(n("2026-09-30"), 1) == n("2026-10-08")
    assert CAL.add_workdays(n("2026-06-08"), -1) == n("2026-06-05")
    assert CAL.add_workdays(n("2026-06-06"), -1) == n("2026-06-05")  # from a Saturday
    assert CAL.add_workdays(n("2026-06-06"), 0) == n("2026-06-06")


@given(start=COVERED, count=st.integers(1, 40))
def test_add_and_between_agree_with_counting_day_by_day(start: date, count: int) -> None:
    day = n(start.isoformat())
    later = CAL.add_workdays(day, count)
    assert CAL.is_workday(later)
    assert sum(CAL.is_workday(d) for d in range(day + 1, later + 1)) == count
    assert CAL.workdays_between(day + 1, later) == count
    earlier = CAL.add_workdays(day, -count)
    assert CAL.is_workday(earlier)
    assert sum(CAL.is_workday(d) for d in range(earlier, day)) == count


@given(a=COVERED, span=st.integers(0, 60))
def test_between_is_the_number_of_working_days_in_the_range(a: date, span: int) -> None:
    first = n(a.isoformat())
    assert CAL.workdays_between(first, first + span) == sum(CAL.is_workday(d) for d in range(first, first + span + 1))


def test_a_year_no_calendar_covers_is_an_error_naming_the_year_and_the_file_to_extend() -> None:
    for call in (
        lambda: CAL.is_workday(n("2027-01-04")),
        lambda: CAL.workdays_between(n("2026-12-28"), n("2027-01-04")),
        lambda: CAL.add_workdays(n("2026-12-30"), 5),
        lambda: CAL.add_workdays(n("2004-01-05"), -5),
    ):
        with pytest.raises(CalendarError) as info:
            call()
        message = str(info.value)
        assert "no working-day calendar covers" in message
        assert "2027" in message or "2003" in message
        assert "site calendar file (--calendar, RW_CALENDAR)" in message
        assert "never guessed" in message


def test_the_language_calls_the_calendar_of_its_scope() -> None:
    scope = Scope(n("2026-10-09"), {"reply_workdays": 15}, {"h": {"sent_on": n("2026-09-18")}})

    def value(text: str) -> object:
        return evaluate(parse_expression(text), scope)

    # from Friday 09-18: 09-20 (a Sunday worked) is the first; 中秋 (09-25) and 国庆 (10-01 to 10-07) are not
    assert value("add_workdays(h.sent_on, params.reply_workdays)") == n("2026-10-15")
    assert value("workdays_between(h.sent_on, as_of)") == 11
    assert value("is_workday(as_of) and weekday(as_of) == 5") is True
    assert value("h.sent_on + months(6)") == n("2027-03-18")
    assert value("date(2024, 2, 29) + years(1)") == n("2025-02-28")  # the same 2月29日 rule as as_of
    assert value("add_workdays(h.missing, 3)") is None  # null in, null out
    assert from_day_number(n("2026-01-01")) + timedelta(days=1) == date(2026, 1, 2)
