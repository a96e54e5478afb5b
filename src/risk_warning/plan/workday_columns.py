"""The working-day calendar as Polars expressions, for the vectorised screen (plan/frames.py).

The same answers as ``rules/workdays.py`` (``tests/plan/test_frames.py`` compares them day by day): the
running count of working days is a table indexed by day number, ``is_workday`` its step, ``add_workdays``
a sorted search in it. A day no calendar covers is never guessed here either: the column is checked as it
is computed and the first such day raises ``CalendarError``, naming its year, as the engine would.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from risk_warning.rules.workdays import CalendarError, WorkCalendar


@dataclass(frozen=True)
class WorkingDays:
    calendar: WorkCalendar
    start: int  # the day number of the first covered day
    running: pl.Series  # working days up to and including each covered day
    steps: pl.Series  # 1 on a working day, 0 otherwise

    def covered(self, days: pl.Expr) -> pl.Expr:
        """``days`` checked against the covered range (the first day outside it raises ``CalendarError``)."""
        return days.map_batches(self._check, return_dtype=pl.Int64)

    def _check(self, days: pl.Series) -> pl.Series:
        present = days.drop_nulls()
        if present.len():
            for day in (int(present.min()), int(present.max())):  # type: ignore[arg-type]
                if not self.start <= day < self.start + self.running.len():
                    self.calendar.require(day)  # the table spans the covered years, which have no gap: raises
        return days.cast(pl.Int64)

    def works(self, days: pl.Expr) -> pl.Expr:
        return pl.lit(self.steps).gather(self.covered(days) - self.start)

    def running_count(self, days: pl.Expr) -> pl.Expr:
        return pl.lit(self.running).gather(self.covered(days) - self.start)

    def add(self, days: pl.Expr, n: int) -> pl.Expr:
        """The ``n``-th working day after each day (before it for negative ``n``)."""
        if n == 0:
            return days
        here = self.running_count(days)
        target = here + n if n > 0 else here - self.works(days) + n + 1
        found = pl.lit(self.running).search_sorted(target.map_batches(self._check_target, return_dtype=pl.Int64))
        return found.cast(pl.Int64) + self.start

    def _check_target(self, targets: pl.Series) -> pl.Series:
        present = targets.drop_nulls()
        if present.len():
            if int(present.min()) < 1:  # type: ignore[arg-type]
                raise CalendarError(self.calendar.uncovered(min(self.calendar.years) - 1))
            if int(present.max()) > int(self.running[-1]):  # type: ignore[arg-type]
                raise CalendarError(self.calendar.uncovered(max(self.calendar.years) + 1))
        return targets.cast(pl.Int64)


_made: dict[str, WorkingDays] = {}


def working_days(calendar: WorkCalendar) -> WorkingDays:
    """The calendar's table, made once per calendar (by its digest)."""
    made = _made.get(calendar.digest)
    if made is None:
        start, running = calendar.table
        counts = pl.Series("running", running, dtype=pl.Int64)
        steps = counts.diff().fill_null(counts[0]).cast(pl.Int64)
        made = _made[calendar.digest] = WorkingDays(calendar, start, counts, steps)
    return made
