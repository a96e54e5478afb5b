"""Evaluate partitions in worker processes on this machine, so that an engine crash loses nothing.

The durable-rules C engine can segfault, and it never releases the GIL. Partitions (one subject each)
go to a process pool in spans. The workers are forked with the partitions in memory, so a task is only
a range of positions (pickling millions of facts to send them was most of the work). When a worker
dies the pool breaks, and every span not yet finished comes back as crashed: the shared policy
(executors/crash.py) splits them and tries again, down to the one subject, and quarantines it.

Workers die with the scan: on Linux each asks the kernel to kill it when its parent dies (``prctl
PR_SET_PDEATHSIG``), so a scan killed outright (SIGKILL, the OOM killer) leaves no worker evaluating on.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import get_context

from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.base import NothingAhead, Outcome, Partition, Span, evaluate_partitions
from risk_warning.executors.crash import with_crash_policy
from risk_warning.executors.faults import CRASH_HOOK
from risk_warning.plan.horizon import Horizon
from risk_warning.rules.program import Ruleset

__all__ = ["CRASH_HOOK", "ProcessExecutor"]

_engine: Engine | None = None
_as_of: date | None = None
_partitions: Sequence[Partition] = ()
_horizon: Horizon | None = None


PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies; if it died already, go now."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _init(
    parent: int,
    rulesets: Sequence[Ruleset],
    as_of: date,
    evaluator: EvaluatorName,
    partitions: Sequence[Partition],
    horizon: Horizon | None,
) -> None:
    """Runs once in each forked worker: the arguments are the parent's objects, inherited, never pickled."""
    global _engine, _as_of, _partitions, _horizon
    _die_with(parent)
    faulthandler.disable()  # a crash is handled by the parent; no traceback dump from the child
    _engine = Engine(rulesets, evaluator=evaluator)
    _as_of, _partitions, _horizon = as_of, partitions, horizon


def evaluate_span(span: Span) -> Outcome:
    """Runs in a worker: the shared per-subject policy over ``partitions[start:stop]``."""
    assert _engine is not None and _as_of is not None
    return evaluate_partitions(_engine, _partitions[span[0] : span[1]], _as_of, _horizon)


class ProcessExecutor(NothingAhead):
    """``workers`` forked processes; crashes are bisected down to the subject."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers

    def run(
        self,
        rulesets: Sequence[Ruleset],
        partitions: Sequence[Partition],
        as_of: date,
        *,
        evaluator: EvaluatorName = "durable",
        on_progress: Callable[[int, int], None] = lambda done, total: None,
        horizon: Horizon | None = None,
    ) -> Outcome:
        """Evaluate every partition; ``on_progress(done, total)`` after each span (the scan renews its lease)."""

        def pool(workers: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=workers,
                mp_context=get_context("fork"),
                initializer=_init,
                initargs=(os.getpid(), list(rulesets), as_of, evaluator, partitions, horizon),
            )

        def attempt(tried: Sequence[Span], alone: bool) -> Iterator[tuple[Span, Outcome | None]]:
            if alone:  # each in a fresh pool of one: a crash now is its own
                for span in tried:
                    with pool(1) as single:
                        yield span, _result(single.submit(evaluate_span, span))
                return
            with pool(self.workers) as shared:
                futures = {shared.submit(evaluate_span, span): span for span in tried}
                for future in as_completed(futures):
                    yield futures[future], _result(future)

        return with_crash_policy(partitions, self.workers * 8, attempt, on_progress)


def _result(future: Future[Outcome]) -> Outcome | None:
    """The span's outcome, or None when a worker died (the pool is broken: every unfinished span lands here)."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None
