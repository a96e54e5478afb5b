"""Evaluate partitions on a Dask cluster (``dask.distributed``): a scan's engine work spread over machines.

The scanning process (the driver) stays where it is: it reads the input, screens it, and alone writes to
the store. Only the evaluation of the subjects let through goes to the cluster:

- the job (rulesets, as-of date, evaluator, horizon, the tests' fault hooks) is pickled once, held by one
  task every span depends on (scattered data would be lost with the worker holding it); a worker compiles
  its engine once per job, keyed by the job's digest, and keeps only the latest one;
- each task carries a span of partitions as Arrow IPC tables (executors/payload.py), never an engine
  object, and returns its outcome;
- a task that raises is run again (``TASK_RETRIES``); one that still raises fails the scan, which is
  recorded as failed and changes no alert;
- a worker that dies is restarted by its nanny and the scheduler runs its task again on a worker; a task
  whose workers keep dying (``distributed.scheduler.allowed-failures``) ends as ``KilledWorker``, which the
  crash policy every executor shares (executors/crash.py) bisects down to the subject and quarantines;
- the driver merges and sorts the outcomes, so they never depend on which worker ran what, and a task run
  twice writes nothing twice: nothing on a worker writes anywhere.

With no scheduler address a LocalCluster of ``workers`` processes is started on first use and closed with
the executor. Each worker should have one thread (``dask worker --nthreads 1``): the engine holds the GIL,
so threads add nothing, and a worker evaluates one task at a time whatever its threads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from types import TracebackType
from typing import Any

from distributed import Client, KilledWorker, LocalCluster, as_completed

from risk_warning.errors import ConfigError
from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.base import Outcome, Partition, Span, evaluate_partitions
from risk_warning.executors.crash import with_crash_policy
from risk_warning.executors.faults import Faults
from risk_warning.executors.payload import Packed, pack, unpack
from risk_warning.plan.horizon import Horizon
from risk_warning.rules.program import Ruleset

SPANS_PER_THREAD = 8  # spans per worker thread: enough to balance, few enough to keep tasks worth sending
TASK_RETRIES = 2  # a task that raises (not a subject's engine error: that is quarantined) is run again, twice

# On a worker: the latest job's engine, what it needs, and a lock (a worker with several threads still
# evaluates one span at a time: the engine is not shared between threads).
_job: tuple[str, Engine, date, Horizon | None, Faults] | None = None
_lock = threading.Lock()


def _held(job: bytes) -> bytes:
    return job


def evaluate_packed(digest: str, job: bytes, packed: Packed) -> Outcome:
    """Runs on a worker: the shared per-subject policy over one span of partitions."""
    with _lock:
        engine, as_of, horizon, faults = _engine_for(digest, job)
        faults.task_starts()
        return evaluate_partitions(engine, unpack(packed), as_of, horizon, faults)


def compile_job(digest: str, job: bytes) -> None:
    """Runs on a worker while the scan still reads: the job's engine compiled before the first span comes."""
    with _lock:
        engine, as_of, _, _ = _engine_for(digest, job)
        engine.prepare(as_of)


def _engine_for(digest: str, job: bytes) -> tuple[Engine, date, Horizon | None, Faults]:
    global _job
    if _job is None or _job[0] != digest:
        rulesets, as_of, evaluator, horizon, faults = pickle.loads(job)
        if _job is not None:
            _job[1].close()
        _job = (digest, Engine(rulesets, evaluator=evaluator), as_of, horizon, faults)
    return _job[1:]


def _job_of(
    rulesets: Sequence[Ruleset], as_of: date, evaluator: EvaluatorName, horizon: Horizon | None
) -> tuple[bytes, str]:
    job = pickle.dumps((list(rulesets), as_of, evaluator, horizon, Faults()))
    return job, hashlib.sha256(job).hexdigest()


class DaskExecutor:
    """Spans of partitions as tasks on a Dask cluster: at ``scheduler`` (``tcp://host:8786``), or on a
    LocalCluster of ``workers`` processes. Close it (or use it in a ``with``) to let the cluster go."""

    def __init__(self, scheduler: str | None = None, workers: int = 2, *, connect_timeout: float = 30.0) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.connect_timeout = connect_timeout
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None
        self._preparing: threading.Thread | None = None
        self._prepared: list[Any] = []  # futures held until the run: a released future is cancelled
        if scheduler:
            _ = self.client  # an address that does not answer is an error now, not after the input is read

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._ready()
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def client(self) -> Client:
        """The connection to the cluster, made on first use."""
        if self._client is None:
            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, set_as_default=False, timeout=f"{self.connect_timeout}s")
                except (OSError, TimeoutError) as exc:
                    raise ConfigError(
                        f"cannot reach the Dask scheduler at {self.scheduler} ({exc}); check --scheduler "
                        "(RW_SCHEDULER) and that the scheduler is running, or leave it out for a local cluster"
                    ) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address="127.0.0.1:0",  # on loopback, on a free port: never 8787 on every interface
                    silence_logs=logging.WARNING,
                )
                self._client = Client(self._cluster, set_as_default=False)
        return self._client

    def prepare(
        self,
        rulesets: Sequence[Ruleset],
        as_of: date,
        *,
        evaluator: EvaluatorName = "durable",
        horizon: Horizon | None = None,
    ) -> None:
        """Start the cluster (a LocalCluster takes seconds) and have every worker compile the job's engine, in
        a thread, while the scan reads its input; ``run`` waits for it. A failure here is left for ``run``
        to meet and report."""

        def warm() -> None:
            try:
                client = self.client
                job, digest = _job_of(rulesets, as_of, evaluator, horizon)
                shared = client.submit(_held, job, key=f"risk-warning-job-{digest}")
                self._prepared.append(shared)
                for address in client.scheduler_info()["workers"]:
                    self._prepared.append(
                        client.submit(
                            compile_job, digest, shared, workers=[address], allow_other_workers=False, pure=False
                        )
                    )
            except Exception:  # run() meets the same failure and reports it
                return

        self._preparing = threading.Thread(target=warm, name="risk-warning-dask-prepare", daemon=True)
        self._preparing.start()

    def _ready(self) -> None:
        if self._preparing is not None:
            self._preparing.join()
            self._preparing = None

    def worker_pids(self) -> dict[str, int]:
        """Each worker's process id, by address (the tests kill one)."""
        return dict(self.client.run(os.getpid))

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
        """Evaluate every partition on the cluster; ``on_progress(done, total)`` after each span."""
        self._ready()
        client = self.client
        try:  # a scheduler with no workers would hold the tasks, and the scan, for ever
            client.wait_for_workers(1, timeout=self.connect_timeout)
        except TimeoutError:
            raise ConfigError(
                f"the Dask scheduler at {self.scheduler or 'the local cluster'} has no workers after "
                f"{self.connect_timeout:g} s; start them (dask worker {self.scheduler or ''} --nthreads 1) and re-run"
            ) from None
        job, digest = _job_of(rulesets, as_of, evaluator, horizon)
        # a task, not scattered data: a worker that dies with it loses nothing the scheduler cannot make again
        shared = client.submit(_held, job, key=f"risk-warning-job-{digest}")
        threads = max(1, sum(client.nthreads().values()))

        def attempt(tried: Sequence[Span], alone: bool) -> Iterator[tuple[Span, Outcome | None]]:
            # ``alone`` needs nothing more here: one thread per worker, and the scheduler retries elsewhere
            futures: dict[Any, Span] = {
                client.submit(
                    evaluate_packed, digest, shared, pack(partitions[start:stop]), pure=False, retries=TASK_RETRIES
                ): (start, stop)
                for start, stop in tried
            }
            for future in as_completed(futures, loop=client.loop):
                try:
                    yield futures[future], future.result()
                except KilledWorker:
                    yield futures[future], None
                finally:
                    future.release()

        try:
            return with_crash_policy(partitions, threads * SPANS_PER_THREAD, attempt, on_progress)
        finally:
            shared.release()
            for future in self._prepared:
                future.release()
            self._prepared = []
