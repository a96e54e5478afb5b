"""Executors by name, as the CLI, the settings and the scheduler's file name them."""

from __future__ import annotations

from typing import Literal

from risk_warning.errors import ConfigError
from risk_warning.executors.base import Executor
from risk_warning.executors.inline import InlineExecutor
from risk_warning.executors.processes import ProcessExecutor
from risk_warning.settings import settings

ExecutorName = Literal["inline", "processes", "dask"]
EXECUTORS: tuple[ExecutorName, ...] = ("inline", "processes", "dask")


def make_executor(name: ExecutorName | None, workers: int, scheduler: str | None = None) -> Executor:
    """``name``'s executor; with no name, ``workers`` decides as it always has: 0 in this process, else
    that many local processes. ``scheduler`` is a Dask scheduler's address (no address: a LocalCluster
    of ``workers`` processes)."""
    if scheduler and name not in (None, "dask"):
        raise ConfigError(f"a scheduler address is for the dask executor, not {name!r}: drop --scheduler or use dask")
    if name == "dask" or (name is None and scheduler):
        try:
            from risk_warning.executors.on_dask import DaskExecutor
        except ImportError as exc:
            raise ConfigError(
                f"the dask executor needs dask.distributed ({exc}): pip install 'risk-warning[dask]'"
            ) from None
        return DaskExecutor(scheduler, max(1, workers), connect_timeout=settings().scheduler_timeout)
    if name == "inline" or (name is None and workers == 0):
        return InlineExecutor()
    return ProcessExecutor(max(1, workers))
