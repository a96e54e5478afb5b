"""Progress of long work (a scan, generating data) where the operator is: a bar per step on a terminal
(rich.progress), a line now and then on a pipe or in a log file, JSON log lines with the scan id when
RW_LOG_FORMAT is json."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from risk_warning.run import logs
from risk_warning.run.progress import STEPS, ScanProgress
from risk_warning.run.scan import Progress as Told
from risk_warning.settings import settings


@contextmanager
def scan_progress(console: Console, what: str = "scan", logger: str = "risk_warning.run.scan") -> Iterator[Told]:
    """The ``progress`` to hand ``run.scan.scan`` (or ``fixtures generate``) while it runs: lines start with
    ``what``, and go to ``logger`` as JSON when the log format is json."""
    if settings().log_format == "json":
        logs.configure("json")
        yield ScanProgress(logging.getLogger(logger).info, every=30.0, what=what)
    elif console.is_terminal:
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as bars:
            yield _Bars(bars)
    else:
        yield ScanProgress(lambda line: console.print(line, markup=False), what=what)


class _Bars:
    """One bar per step, added when the step is first told of."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.bars.add_task(STEPS.get(step, step), total=total)
        self.bars.update(self.tasks[step], completed=done, total=total)
