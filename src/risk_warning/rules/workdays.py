"""The working-day calendar of the rule language: which days are 工作日, counted as Chinese regulations count.

A day is a working day when it is a Monday to Friday that is not a public holiday, or a weekend day
made a working day by 调休. The days come from a maintained package, ``chinesecalendar`` (the State
Council's notices, 2004 up to its last published year), and from an optional site calendar file that
adds years not yet published there and corrects days (rules/calendar_file.py). A year that neither
covers is never guessed: asking about one raises ``CalendarError`` naming the year and the file to
extend.

Dates are day numbers here, as the evaluators see them (facts/normalise.py). The four functions of the
language, with their meaning stated once:

* ``weekday(d)``: 1 for Monday to 7 for Sunday (ISO); needs no calendar.
* ``is_workday(d)``: true on a working day.
* ``workdays_between(a, b)``: the working days from ``a`` to ``b``, both counted (a publicity from Monday
  to Friday of an ordinary week is 5); zero or less when ``b`` is before ``a``.
* ``add_workdays(d, n)``: the ``n``-th working day after ``d`` (``d`` itself not counted, as 期间开始之日
  不计入: a letter sent on a Friday is due in 1 working day on the Monday); before ``d`` for negative
  ``n``; ``d`` itself for 0.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib.metadata import version

import chinese_calendar

from risk_warning.errors import ConfigError

_EPOCH = date(1970, 1, 1)
BUILT_IN = f"chinesecalendar {version('chinesecalendar')}"


class CalendarError(ConfigError):
    """A date outside every working-day calendar: the scan stops rather than guess (exit code 2)."""

    def __str__(self) -> str:
        # raised inside a Polars expression (plan/workday_columns.py), it comes back with the expression's
        # text appended: the message is the first paragraph
        return str(self.args[0]).split("\n\n", 1)[0] if self.args else ""


@dataclass(frozen=True)
class WorkCalendar:
    """Working days for the years it covers, which are contiguous (rules/calendar_file.py refuses a gap).
    ``sources`` says where each year came from; ``site_file`` is the file to extend, if one was given."""

    years: frozenset[int]
    holidays: frozenset[date]  # Monday-to-Friday days off
    workdays: frozenset[date]  # weekend days worked (调休)
    sources: Mapping[int, str] = field(default_factory=dict)
    site_file: str | None = None

    @cached_property
    def digest(self) -> str:
        """What the calendar says, as a hash: part of a ruleset's content hash, so a corrected calendar
        re-evaluates every subject the next night."""
        text = repr((sorted(self.years), sorted(self.holidays), sorted(self.workdays)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @cached_property
    def table(self) -> tuple[int, list[int]]:
        """(first day number, running count of working days up to and including each day) over the years
        from the first covered to the last."""
        first, last = min(self.years), max(self.years)
        start = date(first, 1, 1)
        running: list[int] = []
        count = 0
        day = start
        end = date(last, 12, 31)
        while day <= end:
            count += self._works(day)
            running.append(count)
            day += timedelta(days=1)
        return (start - _EPOCH).days, running

    def _works(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def require(self, day: int) -> date:
        """The date of a day number whose year the calendar covers, or a ``CalendarError`` naming it."""
        d = _EPOCH + timedelta(days=day)
        if d.year not in self.years:
            raise CalendarError(self.uncovered(d.year))
        return d

    def uncovered(self, year: int) -> str:
        covered = _ranges(self.years)
        where = (
            f"the site calendar file {self.site_file}"
            if self.site_file
            else "a site calendar file (--calendar, RW_CALENDAR)"
        )
        return (
            f"no working-day calendar covers {year} (covered: {covered}; {BUILT_IN} and any site file); "
            f"add {year} under years: with its holidays and 调休 workdays in {where} (docs/rule-language.md, "
            "Calendars); working days are never guessed"
        )

    def running(self, day: int) -> int:
        """Working days from the first covered day up to ``day``, counted with it (covered years are
        contiguous, so the difference of two counts is the working days between their days)."""
        self.require(day)
        start, running = self.table
        return running[day - start]

    def is_workday(self, day: int) -> bool:
        return self._works(self.require(day))

    def workdays_between(self, a: int, b: int) -> int:
        """Working days from ``a`` to ``b``, both counted."""
        return self.running(b) - self.running(a) + self.is_workday(a)

    def add_workdays(self, day: int, n: int) -> int:
        """The ``n``-th working day after ``day`` (before it for negative ``n``)."""
        if n == 0:
            return day
        start, running = self.table
        here = self.running(day)
        target = here + n if n > 0 else here - self.is_workday(day) + n + 1
        if target < 1 or target > running[-1]:
            beyond = min(self.years) - 1 if n < 0 else max(self.years) + 1
            raise CalendarError(self.uncovered(beyond))
        return start + bisect.bisect_left(running, target)

    def extended(
        self,
        years: Iterable[int],
        holidays: Iterable[date],
        workdays: Iterable[date],
        source: str,
    ) -> WorkCalendar:
        """This calendar with ``years`` added and the days corrected: a day listed as a holiday is not
        worked, a day listed as a workday is, whatever the package said."""
        added = frozenset(years)
        off, on = frozenset(holidays), frozenset(workdays)
        return WorkCalendar(
            years=self.years | added,
            holidays=(self.holidays - on) | off,
            workdays=(self.workdays - off) | on,
            sources={**self.sources, **dict.fromkeys(added, source)},
            site_file=source,
        )


def weekday(day: int) -> int:
    """1 for Monday to 7 for Sunday."""
    return (_EPOCH + timedelta(days=day)).isoweekday()


def _ranges(years: Iterable[int]) -> str:
    ordered = sorted(years)
    if not ordered:
        return "none"
    parts: list[str] = []
    first = previous = ordered[0]
    for year in [*ordered[1:], None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(first) if first == previous else f"{first}-{previous}")
        if year is not None:
            first = previous = year
    return ", ".join(parts)


def _built_in() -> WorkCalendar:
    holidays = frozenset(d for d in chinese_calendar.holidays if d.weekday() < 5)
    workdays = frozenset(chinese_calendar.workdays)
    known = {d.year for d in chinese_calendar.holidays}
    years = frozenset(range(min(known), max(known) + 1))
    return WorkCalendar(years, holidays, workdays, dict.fromkeys(years, BUILT_IN))


BUILT_IN_CALENDAR = _built_in()
