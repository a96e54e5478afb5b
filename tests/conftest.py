"""Test-wide settings: a token key for the scans of generated data (a test value, not a site's secret), and a
real Dask cluster for the tests that evaluate on one: a LocalCluster of 2 worker processes, one thread each,
started when a test first asks for it.

`make test` runs the suite on 2 processes (pytest-xdist, `--dist loadgroup`); every test that asks for the
cluster is put in one group, so one process starts it and the machine is not asked for two clusters at once."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import dask
import pytest
from distributed import LocalCluster

os.environ.setdefault("RW_TOKEN_KEY", "tests-only-token-key")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        asks = "dask_scheduler" in getattr(item, "fixturenames", ())
        if asks or "[dask]" in item.name or "on_dask" in item.name:  # the contract suites ask by name
            item.add_marker(pytest.mark.xdist_group("dask"))


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
