"""Evaluate partitions in worker processes, so that an engine crash loses nothing.

The durable-rules C engine can segfault, and it never releases the GIL. Partitions (one subject each)
go to a process pool in chunks. When a worker dies, every chunk it may have held is retried: a chunk
of several subjects is split in two, and a single subject is retried once on its own. A subject that
still kills its worker is quarantined with a reason, and the scan completes. Engine errors and sorting
follow the policy every executor shares (executors/base.py).

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
from risk_warning.executors.base import Outcome, Partition, chunks, evaluate_partitions, subject_quarantine
from risk_warning.rules.program import Ruleset

CRASH_HOOK = "RISK_WARNING_CRASH_SUBJECT"

_engine: Engine | None = None
_as_of: date | None = None


def _init(rulesets: Sequence[Ruleset], as_of: date, evaluator: EvaluatorName) -> None:
    global _engine, _as_of
    faulthandler.disable()  # a crash is handled by the parent; no traceback dump from the child
    _engine = Engine(rulesets, evaluator=evaluator)
    _as_of = as_of


def evaluate_chunk(chunk: Sequence[Partition]) -> Outcome:
    """Runs in a worker: the shared per-subject policy over the chunk."""
    assert _engine is not None and _as_of is not None
    crash = os.environ.get(CRASH_HOOK)
    if crash and any(subject == crash for subject, _ in chunk):
        ctypes.string_at(0)  # a real segmentation fault, as the C engine can cause
    return evaluate_partitions(_engine, chunk, _as_of)


def _pool(rulesets: Sequence[Ruleset], as_of: date, evaluator: EvaluatorName, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_init,
        initargs=(list(rulesets), as_of, evaluator),
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
    ) -> Outcome:
        """Evaluate every partition; ``on_progress(done, total)`` after each chunk (the scan renews its lease)."""
        total = Outcome()
        fresh: list[list[Partition]] = chunks(partitions, self.workers * 8)
        planned, done = len(fresh), 0
        while fresh:
            retry: list[list[Partition]] = []
            with _pool(rulesets, as_of, evaluator, self.workers) as pool:
                futures: dict[Future[Outcome], list[Partition]] = {pool.submit(evaluate_chunk, c): c for c in fresh}
                fresh = []
                for future in as_completed(futures):
                    chunk = futures[future]
                    done += 1
                    on_progress(done, planned)
                    try:
                        total.merge(future.result())
                    except BrokenProcessPool:
                        # the pool is gone: every chunk not yet finished lands here, guilty or not
                        total.crashes += 1
                        planned += 2 if len(chunk) > 1 else 1  # the chunk comes back as two halves, or alone
                        if len(chunk) > 1:
                            half = len(chunk) // 2
                            fresh += [chunk[:half], chunk[half:]]
                        else:
                            retry.append(chunk)
            for chunk in retry:  # each single subject alone in a fresh worker: a crash now is its own
                with _pool(rulesets, as_of, evaluator, 1) as alone:
                    try:
                        total.merge(alone.submit(evaluate_chunk, chunk).result())
                    except BrokenProcessPool:
                        total.crashes += 1
                        total.quarantined.append(subject_quarantine(chunk[0][0], Reason.ENGINE_CRASH, CRASHED_TWICE))
                done += 1
                on_progress(done, planned)
        return total.sorted()
