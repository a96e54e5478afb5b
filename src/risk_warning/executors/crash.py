"""The crash half of the policy every executor shares: retry, bisect to the subject, quarantine it.

The durable-rules C engine can segfault. An executor that runs it out of the scanning process (worker
processes, Dask workers) tries spans of partitions and reports, for each span, its outcome or ``None``
when the process evaluating it died. Whatever the executor, the policy is this one:

- a span of several subjects whose process died is split in two, and each half is tried again;
- a single subject whose process died is tried once more, alone (in a fresh process, or wherever the
  cluster's scheduler sends it);
- a subject whose process dies that time too is quarantined with ``CRASHED_EVERY_TIME``, and the scan
  completes.

A span caught in a crash it did not cause (its pool broke under it) is split and tried again like the
guilty one, so nothing is lost and only the guilty subject ends quarantined. Progress is reported after
every span tried, against a total that grows as spans are split. The inline executor follows the same
path; its spans cannot come back as ``None``: a segfault there ends the process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from risk_warning.errors import Reason
from risk_warning.executors.base import Outcome, Partition, Span, spans, subject_quarantine

CRASHED_EVERY_TIME = (
    "the engine process died on this subject each time it was tried, the last time alone; "
    "its alerts are unknown: check its records and re-run"
)

# (spans to try, alone) -> each span with its outcome, or None if the process evaluating it died; in any
# order. ``alone``: each span is a single subject tried again after a crash, apart from any other work.
Attempt = Callable[[Sequence[Span], bool], Iterable[tuple[Span, Outcome | None]]]


def with_crash_policy(
    partitions: Sequence[Partition],
    pieces: int,
    attempt: Attempt,
    on_progress: Callable[[int, int], None],
) -> Outcome:
    """Every partition evaluated by ``attempt`` in about ``pieces`` spans (at most 200 subjects each), crashes
    bisected down to the subject; the outcome sorted, so it never depends on the order work finished in."""
    total = Outcome()
    fresh = spans(len(partitions), pieces)
    planned, done = len(fresh), 0
    while fresh:
        tried, fresh = fresh, []
        alone: list[Span] = []
        for (start, stop), got in attempt(tried, False):
            done += 1
            if got is not None:
                total.merge(got)
            else:
                total.crashes += 1
                if stop - start > 1:
                    half = (start + stop) // 2
                    fresh += [(start, half), (half, stop)]
                    planned += 2
                else:
                    alone.append((start, stop))
                    planned += 1
            on_progress(done, planned)
        if alone:
            for (start, _), got in attempt(alone, True):
                done += 1
                if got is not None:
                    total.merge(got)
                else:
                    total.crashes += 1
                    subject = partitions[start][0]
                    total.quarantined.append(subject_quarantine(subject, Reason.ENGINE_CRASH, CRASHED_EVERY_TIME))
                on_progress(done, planned)
    return total.sorted()
