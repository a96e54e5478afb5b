"""Evaluate partitions in worker processes, so that an engine crash loses nothing.

The durable-rules C engine can segfault, and it never releases the GIL. Partitions (one subject each)
go to a process pool in chunks. When a worker dies, every chunk it may have held is retried: a chunk
of several subjects is split in two, and a single subject is retried once on its own. A subject that
still kills its worker is quarantined with a reason, and the scan completes. An error the engine
reports for one subject (EngineError) quarantines that subject the same way. Results are sorted,
so they do not depend on the order in which workers finish.

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
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context

from risk_warning.alerts.model import Alert
from risk_warning.errors import QuarantinedRecord, Reason, RiskWarningError, SourceLocation
from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.facts._base import Fact
from risk_warning.rules.program import Ruleset

CRASH_HOOK = "RISK_WARNING_CRASH_SUBJECT"
Partition = tuple[str, list[Fact]]

_engine: Engine | None = None
_as_of: date | None = None


@dataclass
class Outcome:
    alerts: list[Alert] = field(default_factory=list)
    evaluated: list[str] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    crashes: int = 0


def subject_quarantine(subject: str, reason: Reason, message: str) -> QuarantinedRecord:
    return QuarantinedRecord(SourceLocation(f"subject:{subject}"), "", reason, message)


def _init(rulesets: Sequence[Ruleset], as_of: date, evaluator: EvaluatorName) -> None:
    global _engine, _as_of
    faulthandler.disable()  # a crash is handled by the parent; no traceback dump from the child
    _engine = Engine(rulesets, evaluator=evaluator)
    _as_of = as_of


def evaluate_chunk(chunk: Sequence[Partition]) -> Outcome:
    """Runs in a worker: evaluate each partition; an engine error quarantines only its subject."""
    assert _engine is not None and _as_of is not None
    crash = os.environ.get(CRASH_HOOK)
    outcome = Outcome()
    for subject, facts in chunk:
        if crash and subject == crash:
            ctypes.string_at(0)  # a real segmentation fault, as the C engine can cause
        try:
            outcome.alerts.extend(_engine.evaluate_subject(subject, facts, _as_of))
            outcome.evaluated.append(subject)
        except RiskWarningError as exc:
            outcome.quarantined.append(subject_quarantine(subject, Reason.ENGINE_CRASH, f"engine error: {exc}"))
    return outcome


def _chunks(partitions: Sequence[Partition], workers: int) -> list[list[Partition]]:
    size = max(1, min(200, -(-len(partitions) // (workers * 8))))
    return [list(partitions[i : i + size]) for i in range(0, len(partitions), size)]


def _pool(rulesets: Sequence[Ruleset], as_of: date, evaluator: EvaluatorName, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_init,
        initargs=(list(rulesets), as_of, evaluator),
    )


CRASHED_TWICE = "the engine process crashed twice on this subject; its alerts are unknown: check its records and re-run"


def evaluate_in_workers(
    rulesets: Sequence[Ruleset],
    partitions: Sequence[Partition],
    as_of: date,
    *,
    workers: int = 2,
    evaluator: EvaluatorName = "durable",
    on_progress: Callable[[], None] = lambda: None,
) -> Outcome:
    """Evaluate every partition in ``workers`` processes; crashes are bisected down to the subject.

    ``on_progress`` is called after each chunk (the scan renews its lease there).
    """
    total = Outcome()
    fresh: list[list[Partition]] = _chunks(partitions, workers)
    while fresh:
        retry: list[list[Partition]] = []
        with _pool(rulesets, as_of, evaluator, workers) as pool:
            futures: dict[Future[Outcome], list[Partition]] = {pool.submit(evaluate_chunk, c): c for c in fresh}
            fresh = []
            for future in as_completed(futures):
                chunk = futures[future]
                on_progress()
                try:
                    _merge(total, future.result())
                except BrokenProcessPool:
                    # the pool is gone: every chunk not yet finished lands here, guilty or not
                    total.crashes += 1
                    if len(chunk) > 1:
                        half = len(chunk) // 2
                        fresh += [chunk[:half], chunk[half:]]
                    else:
                        retry.append(chunk)
        for chunk in retry:  # each single subject alone in a fresh worker: a crash now is its own
            with _pool(rulesets, as_of, evaluator, 1) as alone:
                try:
                    _merge(total, alone.submit(evaluate_chunk, chunk).result())
                except BrokenProcessPool:
                    total.crashes += 1
                    total.quarantined.append(subject_quarantine(chunk[0][0], Reason.ENGINE_CRASH, CRASHED_TWICE))
    total.alerts.sort(key=Alert.sort_key)
    total.evaluated.sort()
    return total


def _merge(total: Outcome, part: Outcome) -> None:
    total.alerts.extend(part.alerts)
    total.evaluated.extend(part.evaluated)
    total.quarantined.extend(part.quarantined)
    total.crashes += part.crashes
