"""A site calendar file: working-day years the maintained package does not have yet, and corrections.

    # 某省 2027 年工作日历 (国务院办公厅通知, 2026-11)
    years: [2027]                                # defined by this file alone: weekdays work, weekends rest,
    holidays:                                    #   except the days below
      - 2027-01-01
      - {from: 2027-02-06, to: 2027-02-12}       # a range, both ends included
    workdays: [2027-02-14]                       # weekend days worked (调休)

A year under ``years:`` is defined by the file alone, even one the package has. A day listed in a year
the package has, without the year under ``years:``, corrects the package (a holiday it does not have,
a 调休 day it missed). Every problem is a located diagnostic (exit code 2), never a guess.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import pydantic

from risk_warning.errors import Diagnostic, Reason, RulesetError
from risk_warning.rules.diagnostics import Collector, pydantic_diagnostics
from risk_warning.rules.textfile import read_text
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar
from risk_warning.rules.yamlsrc import load_yaml

FIRST_YEAR, LAST_YEAR = 1900, 2200  # the language's date range


class DayRange(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", populate_by_name=True)

    first: date = pydantic.Field(alias="from")
    last: date = pydantic.Field(alias="to")


Days = list[date | DayRange]
Year = Annotated[int, pydantic.Field(ge=FIRST_YEAR, le=LAST_YEAR)]


class CalendarFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    calendar: str = ""  # a title, for people
    years: list[Year] = pydantic.Field(default_factory=list)
    holidays: Days = pydantic.Field(default_factory=list)
    workdays: Days = pydantic.Field(default_factory=list)


def load_calendar(path: str | Path, base: WorkCalendar = BUILT_IN_CALENDAR) -> WorkCalendar:
    """``base`` extended and corrected by the site calendar file at ``path``; a ``RulesetError`` with
    every problem, each at its line and column, if the file is wrong."""
    name = str(path)
    text = read_text(path, "calendar file")
    loaded = load_yaml(text, name)
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    data, smap = loaded
    out = Collector(smap, collect=True)
    try:
        spec = CalendarFile.model_validate(data or {})
    except pydantic.ValidationError as exc:
        pydantic_diagnostics(exc, data, out)
        raise RulesetError(out.items) from None
    years = set(spec.years)
    covered = (base.years - years) | years
    gaps = sorted(set(range(min(covered), max(covered) + 1)) - covered)
    if gaps:
        out.at(
            ("years",),
            Reason.BAD_VALUE,
            f"the covered years would have a gap: {', '.join(map(str, gaps))}",
            f"list every year from {min(base.years)} on without a gap (working days are counted across years)",
        )
    days: dict[str, list[date]] = {}
    for key in ("holidays", "workdays"):
        found = days[key] = []
        for index, item in enumerate(getattr(spec, key)):
            first, last = (item, item) if isinstance(item, date) else (item.first, item.last)
            if last < first:
                out.at((key, index), Reason.BAD_VALUE, f"the range ends ({last}) before it starts ({first})")
                continue
            for year in sorted({first.year, last.year} - covered):
                out.at(
                    (key, index),
                    Reason.BAD_VALUE,
                    f"{first if first.year == year else last} is in {year}, which no calendar covers",
                    f"list {year} under years: to define it in this file",
                )
            found.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    both = sorted(set(days["holidays"]) & set(days["workdays"]))
    if both:
        out.at(("workdays",), Reason.BAD_VALUE, f"{both[0]} is listed as a holiday and as a workday", "keep one")
    if out.items:
        raise RulesetError(out.items)
    kept = _without_years(base, years)
    return kept.extended(years, days["holidays"], days["workdays"], name)


def _without_years(base: WorkCalendar, years: set[int]) -> WorkCalendar:
    def keep(days: frozenset[date]) -> frozenset[date]:
        return frozenset(d for d in days if d.year not in years)

    return WorkCalendar(base.years - years, keep(base.holidays), keep(base.workdays), dict(base.sources))
