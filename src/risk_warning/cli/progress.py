"""A scan's progress on stderr, the same whatever the executor: what an operator watches for a long night."""

from __future__ import annotations

import time

from rich.console import Console

STEPS = {"buckets": "buckets of subjects looked at", "spans": "spans of subjects evaluated"}


class ScanProgress:
    """``run.scan.scan``'s ``progress``: a line when a step is done, and between, at most one every ``every``
    seconds (a nightly log stays short; a terminal still sees the scan move)."""

    def __init__(self, console: Console, every: float = 5.0) -> None:
        self.console = console
        self.every = every
        self.last = time.monotonic()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= self.every:
            self.console.print(f"scan: {done}/{total} {STEPS.get(step, step)}", markup=False)
            self.last = now
