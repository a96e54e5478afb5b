"""Faults injected by the tests, in whatever process evaluates: the same hooks for every executor.

``RISK_WARNING_CRASH_SUBJECT``: the process that meets that subject dies of a real segmentation fault,
as the durable-rules C engine can make it die. ``RISK_WARNING_ENGINE_ERROR_SUBJECT``: evaluating that
subject raises the error the adapter raises when it refuses the engine's answer.
``RISK_WARNING_TASK_FAILS_ONCE``: a path; the first Dask task to start creates it and fails (a task that
fails for a passing reason, which the scheduler retries). Read from the
environment where the subject is evaluated (a forked worker, a Dask worker started with it), so a test
reaches processes it does not share memory with. Neither is set outside the tests.
"""

from __future__ import annotations

import ctypes
import os

from risk_warning.errors import EngineError

CRASH_HOOK = "RISK_WARNING_CRASH_SUBJECT"
ERROR_HOOK = "RISK_WARNING_ENGINE_ERROR_SUBJECT"
FAIL_ONCE_HOOK = "RISK_WARNING_TASK_FAILS_ONCE"


class Faults:
    """The hooks as set when a piece of work starts (one read of the environment per piece)."""

    def __init__(self) -> None:
        self.crash = os.environ.get(CRASH_HOOK) or None
        self.error = os.environ.get(ERROR_HOOK) or None
        self.fail_once = os.environ.get(FAIL_ONCE_HOOK) or None

    def task_starts(self) -> None:
        if self.fail_once:
            try:
                with open(self.fail_once, "x"):
                    pass
            except FileExistsError:
                return
            raise OSError("a task failed for a passing reason (injected for a test)")

    def meet(self, subject: str) -> None:
        if subject == self.crash:
            ctypes.string_at(0)  # a real segmentation fault
        if subject == self.error:
            raise EngineError("the engine returned a result the adapter refuses to trust (injected for a test)")
