"""Evaluate partitions in worker processes, so that an engine crash loses nothing.

The durable-rules C engine can segfault, and it never releases the GIL. Partitions (one subject each)
go to a process pool in spans. The workers are forked with the partitions in memory, so a task is only
a range of positions (pickling millions of facts to send them was most of the work). When a worker
dies, every span it may have held is retried: a span of several subjects is split in two, and a single
subject is retried once on its own. A subject that still kills its worker is quarantined with a
reason, and the scan completes. Engine errors and sorting follow the policy every executor shares
(executors/base.py).

``RISK_WARNING_CRASH_SUBJECT`` is a fault-injection hook for the crash-safety tests: a worker that
meets that subject dies of a real segmentation fault.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import get_context

from risk_warning.errors import Reason
from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.base import Outcome, Partition, Span, evaluate_partitions, spans, subject_quarantine
from risk_warning.plan.horizon import Horizon
from risk_warning.rules.program import Ruleset

CRASH_HOOK = "RISK_WARNING_CRASH_SUBJECT"

_engine: Engine | None = None
_as_of: date | None = None
_partitions: Sequence[Partition] = ()
_horizon: Horizon | None = None


def _init(
    rulesets: Sequence[Ruleset],
    as_of: date,
    evaluator: EvaluatorName,
    partitions: Sequence[Partition],
    horizon: Horizon | None,
) -> None:
    """Runs once in each forked worker: the arguments are the parent's objects, inherited, never pickled."""
    global _engine, _as_of, _partitions, _horizon
    faulthandler.disable()  # a crash is handled by the parent; no traceback dump from the child
    _engine = Engine(rulesets, evaluator=evaluator)
    _as_of, _partitions, _horizon = as_of, partitions, horizon


def evaluate_span(span: Span) -> Outcome:
    """Runs in a worker: the shared per-subject policy over ``partitions[start:stop]``."""
    assert _engine is not None and _as_of is not None
    chunk = _partitions[span[0] : span[1]]
    crash = os.environ.get(CRASH_HOOK)
    if crash and any(subject == crash for subject, _ in chunk):
        ctypes.string_at(0)  # a real segmentation fault, as the C engine can cause
    return evaluate_partitions(_engine, chunk, _as_of, _horizon)


def _pool(
    rulesets: Sequence[Ruleset],
    as_of: date,
    evaluator: EvaluatorName,
    workers: int,
    partitions: Sequence[Partition],
    horizon: Horizon | None,
) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_init,
        initargs=(list(rulesets), as_of, evaluator, partitions, horizon),
    )


CRASHED_TWICE = "the engine process crashed twice on this subject; its alerts are unknown: check its records and re-run"


class ProcessExecutor:
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
        """Evaluate every partition; ``on_progress(done, total)`` after each chunk (the scan renews its lease)."""
        total = Outcome()
        fresh: list[Span] = spans(len(partitions), self.workers * 8)
        planned, done = len(fresh), 0
        while fresh:
            retry: list[Span] = []
            with _pool(rulesets, as_of, evaluator, self.workers, partitions, horizon) as pool:
                futures: dict[Future[Outcome], Span] = {pool.submit(evaluate_span, s): s for s in fresh}
                fresh = []
                for future in as_completed(futures):
                    start, stop = futures[future]
                    done += 1
                    on_progress(done, planned)
                    try:
                        total.merge(future.result())
                    except BrokenProcessPool:
                        # the pool is gone: every span not yet finished lands here, guilty or not
                        total.crashes += 1
                        planned += 2 if stop - start > 1 else 1  # the span comes back as two halves, or alone
                        if stop - start > 1:
                            half = (start + stop) // 2
                            fresh += [(start, half), (half, stop)]
                        else:
                            retry.append((start, stop))
            for span in retry:  # each single subject alone in a fresh worker: a crash now is its own
                with _pool(rulesets, as_of, evaluator, 1, partitions, horizon) as alone:
                    try:
                        total.merge(alone.submit(evaluate_span, span).result())
                    except BrokenProcessPool:
                        total.crashes += 1
                        subject = partitions[span[0]][0]
                        total.quarantined.append(subject_quarantine(subject, Reason.ENGINE_CRASH, CRASHED_TWICE))
                done += 1
                on_progress(done, planned)
        return total.sorted()
