"""A scan's progress told to a person, the same whatever the executor: what an operator watches on a long night."""

from __future__ import annotations

import time
from collections.abc import Callable

STEPS = {
    "read": "export read",
    "buckets": "buckets of subjects looked at",
    "spans": "spans of subjects evaluated",
    "write": "results written",
    "planted": "scenarios planted",  # fixtures generate
    "cadres": "background cadres written",
}


class ScanProgress:
    """``run.scan.scan``'s ``progress``, said as a line (``say``: the command's stderr, the scheduler's log):
    a line when a step is done and, between, at most one every ``every`` seconds, so a nightly log stays
    short and a terminal still sees the scan move."""

    def __init__(self, say: Callable[[str], None], every: float = 5.0, what: str = "scan") -> None:
        self.say = say
        self.what = what
        self.every = every
        self.last = time.monotonic()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= self.every:
            self.say(f"{self.what}: {done}/{total} {STEPS.get(step, step)}")
            self.last = now
