"""A real Dask cluster for the executor contract: a LocalCluster of 2 worker processes, one thread each."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dask
import pytest
from distributed import LocalCluster


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    # a task is given up (KilledWorker) after 2 worker deaths rather than 4: the crash tests restart fewer
    # workers; the policy that follows (bisect, try alone, quarantine) is the same
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
