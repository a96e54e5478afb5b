"""The one orchestration: sources -> facts -> indicators -> engine -> alerts -> store.

With a store, a scan first takes the store's lease (one scan at a time), renews it as it goes, and
writes its results in one transaction at the end: a scan killed at any point leaves nothing that the
next scan does not repair.

Nothing is lost on a bad night. Before it evaluates anything, a scan checks its input against the
last completed scan's (input_check.py) and refuses (ScanRefusedError, no alert touched) when the
input is not whole. Only subjects present in tonight's input are evaluated: history the store keeps
(signals, watches, dispositions) never makes an absent subject look evaluated, so its alerts stay as
they are. A subject named by a quarantined record is held back the same way: judged without that
record it could be cleared, or accused, wrongly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from risk_warning.alerts.model import Alert
from risk_warning.errors import ScanRefusedError
from risk_warning.evaluate.subject import EvaluatorName
from risk_warning.executors.base import Executor, Outcome
from risk_warning.executors.registry import make_executor
from risk_warning.facts._base import Fact
from risk_warning.facts.normalise import day_number
from risk_warning.plan.horizon import Horizon, compute_horizon
from risk_warning.plan.incremental import Partition, SubjectState, plan
from risk_warning.plan.membership import members
from risk_warning.plan.screen import Screen
from risk_warning.rules.date_ranges import check_as_of
from risk_warning.rules.program import Ruleset, disabled_rules
from risk_warning.run.input_check import InputPolicy, InputProfile, check_input, profile_of
from risk_warning.run.labels import chart_of, labels_of
from risk_warning.run.logs import scan_context
from risk_warning.run.selection import org_units, partitions_of, present_subjects, screened
from risk_warning.settings import settings
from risk_warning.sources.base import FileReport, LoadResult, QuarantinedRecord, Source
from risk_warning.sources.buckets import Buckets, in_bucket
from risk_warning.sources.pipeline import in_order
from risk_warning.sources.spill import buckets_for
from risk_warning.store.repository import AlertStore

LEASE_RENEW_SECONDS = 60.0
Progress = Callable[[str, int, int], None]  # (step: "read", "buckets", "spans" or "write", done, total)
EVALUATE_AT = 5_000  # partitions let through (over buckets) gathered before the executor is given them

log = logging.getLogger("risk_warning.run.scan")


@dataclass
class ScanResult:
    as_of: date
    ruleset_hash: str
    alerts: list[Alert] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    subjects: int = 0
    facts: int = 0
    scan_id: int | None = None
    new_alerts: int = 0
    cleared_alerts: int = 0
    subjects_seen: list[str] = field(default_factory=list)
    carried_subjects: int = 0
    planned_subjects: int = 0  # subjects an incremental plan sent to evaluation (not carried)
    engine_subjects: int = 0  # of those, the subjects the pre-filter let through to the engine
    held_subjects: list[str] = field(default_factory=list)  # named by a quarantined record: not evaluated
    screened_subjects: list[str] = field(default_factory=list)  # evaluated by the screen alone: no rule could fire
    files: list[FileReport] = field(default_factory=list)  # the data-quality account of every file read
    accepted: list[str] = field(default_factory=list)  # input problems accepted by name (policy.accepted_by)
    over_limit: list[str] = field(default_factory=list)  # files quarantined beyond the limit (subjects held)
    buckets: int = 1  # buckets of subjects evaluated in turn (a spilled load: sources/buckets.py)


def rulesets_hash(rulesets: Sequence[Ruleset]) -> str:
    """What the rules say, as a hash: a subject's stored state is reused only under the same hash, so a
    changed rule, param or working-day calendar re-evaluates every subject."""
    joined = "".join(sorted(rs.content_hash + rs.calendar.digest for rs in rulesets))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def lease_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def scan(
    rulesets: Sequence[Ruleset],
    source: Source,
    as_of: date,
    *,
    store: AlertStore | None = None,
    evaluator: EvaluatorName = "durable",
    workers: int = 0,
    full: bool = True,
    policy: InputPolicy | None = None,
    buckets: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
) -> ScanResult:
    """Evaluate every subject in ``source`` as of a date; record the run in ``store`` when given.

    ``full=False`` (with a store) re-evaluates only subjects whose facts changed, or whose result
    may have changed with the date, since they were last evaluated. The others are carried forward,
    and the stored result is the same as a full scan's. ``workers`` > 0 evaluates in that many
    processes, so an engine crash costs one subject (quarantined with a reason) and not the scan.
    Raises ScanInProgressError when another scan holds the store's lease, and ScanRefusedError (after
    recording the refused run) when the input check fails (``policy``: see input_check.py). A load the
    source spilled to disk is evaluated in ``buckets`` of subjects (by default one per RW_SCAN_BUCKET_MB of
    input), so memory holds one bucket; the result is the same.

    ``executor`` evaluates the subjects let through (executors/): by default, ``workers`` decides between
    this process and local worker processes; given, it is the caller's to close (a Dask cluster's client).
    ``progress(step, done, total)`` is told of each bucket of subjects looked at (``"buckets"``) and each
    span of subjects evaluated (``"spans"``, counted the same way by every executor); with a store, also of
    the export read (``"read"``, 0/1 then 1/1) and the results written (``"write"``). While the scan runs,
    its log lines carry its id (run/logs.py). ``started(scan_id)`` is told once the scan holds the lease
    and its run is recorded (the service answers a request then, and lets the scan run on).
    """
    check_as_of(as_of)
    if executor is None:
        with closing(make_executor(None, workers)) as mine:
            return scan(
                rulesets,
                source,
                as_of,
                store=store,
                evaluator=evaluator,
                full=full,
                policy=policy,
                buckets=buckets,
                executor=mine,
                progress=progress,
                started=started,
            )
    policy = policy or InputPolicy()
    result = ScanResult(as_of, rulesets_hash(rulesets))
    told: Progress = progress or (lambda step, done, total: None)
    # with a store, each evaluated subject's state is kept for the next night's incremental scan
    horizon = compute_horizon(rulesets, day_number(as_of)) if store is not None else None
    executor.prepare(rulesets, as_of, evaluator=evaluator, horizon=horizon)  # workers start while we read
    if store is None:
        read = _read(source, result)
        try:
            _evaluate(rulesets, read, as_of, result, evaluator, executor, told, buckets=buckets)
        finally:
            read.close()
        return result
    holder = lease_holder()
    loaded: LoadResult | None = None
    lease = timedelta(minutes=settings().lease_minutes)
    store.acquire_lease(holder, lease)
    try:
        scan_id = store.start_scan(as_of, result.ruleset_hash)
        result.scan_id = scan_id
        if started is not None:
            started(scan_id)
        with scan_context(scan_id):
            try:
                log.info("scan #%s as of %s started", scan_id, as_of)
                told("read", 0, 1)
                loaded = _read(source, result)
                told("read", 1, 1)
                log.info("scan #%s read %s", scan_id, _read_summary(result))
                frames = loaded.frames() if loaded.spill is None else None  # a spilled load is read a bucket at a time
                profile = profile_of(loaded, frames)
                last = store.last_input_profile()
                verdict = check_input(loaded, profile, InputProfile.from_dict(last) if last else None, policy)
            except BaseException as exc:
                store.fail_scan(scan_id, f"{type(exc).__name__}: {exc}")
                raise
            if verdict.data_problems or (verdict.input_problems and not policy.accepted_by):
                reasons = verdict.data_problems + verdict.input_problems
                store.refuse_scan(scan_id, reasons, profile.as_dict(), result.files, result.quarantined)
                raise ScanRefusedError(scan_id, reasons, data_errors=bool(verdict.data_problems))
            result.accepted, result.over_limit = verdict.input_problems, verdict.over_limit
            last_renewal = time.monotonic()

            def renew(step: str, done: int, total: int) -> None:
                nonlocal last_renewal
                told(step, done, total)
                if time.monotonic() - last_renewal > LEASE_RENEW_SECONDS:
                    store.acquire_lease(holder, lease)
                    last_renewal = time.monotonic()

            try:
                stored = store.subject_states()
                units, carried, new = _evaluate(
                    rulesets,
                    loaded,
                    as_of,
                    result,
                    evaluator,
                    executor,
                    renew,
                    states={} if full else stored,
                    horizon=horizon,
                    stored=stored,
                    history=store.history_facts(as_of, settings().lookback_days),
                    frames=frames,
                    buckets=buckets,
                )
                result.carried_subjects = len(carried)
                told("write", 0, 1)
                result.new_alerts, result.cleared_alerts = store.finish_scan(
                    scan_id,
                    result.alerts,
                    result.quarantined,
                    result.subjects_seen,
                    units,
                    labels=labels_of(loaded, {a.subject_id for a in result.alerts}, units),
                    chart=chart_of(loaded),
                    carried=carried,
                    states=new,
                    ruleset_hash=result.ruleset_hash,
                    profile=profile.as_dict(),
                    files=result.files,
                    held=result.held_subjects,
                    accepted=(policy.accepted_by or "", result.accepted) if result.accepted else None,
                    problems=result.over_limit,
                    retired={
                        rule: f"{where}, applied by {store.principal.identity}"
                        for rule, where in disabled_rules(rulesets).items()
                    },
                )
                told("write", 1, 1)
                log.info(
                    "scan #%s as of %s written: %s alerts, %s new, %s cleared; %s subjects evaluated, %s carried",
                    scan_id, as_of, len(result.alerts), result.new_alerts, result.cleared_alerts,
                    len(result.subjects_seen), len(carried),
                )  # fmt: skip
                if carried:  # what holds for the subjects not re-evaluated, so the result reads like a full scan's
                    result.alerts += store.alerts_holding(carried, as_of)
                    result.alerts.sort(key=Alert.sort_key)
            except BaseException as exc:
                store.fail_scan(scan_id, f"{type(exc).__name__}: {exc}")
                raise
    finally:
        store.release_lease(holder)
        if loaded is not None:
            loaded.close()
    return result


def _read_summary(result: ScanResult) -> str:
    read = sum(f.read for f in result.files)
    return f"{read} records from {len(result.files)} files, {len(result.quarantined)} quarantined"


def _read(source: Source, result: ScanResult) -> LoadResult:
    loaded = source.load()
    result.quarantined = list(loaded.quarantined)
    result.files = list(loaded.files)
    return loaded


def _evaluate(
    rulesets: Sequence[Ruleset],
    loaded: LoadResult,
    as_of: date,
    result: ScanResult,
    evaluator: EvaluatorName,
    executor: Executor,
    renew: Progress,
    *,
    states: Mapping[str, SubjectState] | None = None,
    horizon: Horizon | None = None,
    history: Sequence[Fact] = (),
    frames: Mapping[str, pl.DataFrame] | None = None,
    stored: Mapping[str, SubjectState] | None = None,
    buckets: int | None = None,
) -> tuple[dict[str, str], list[str], dict[str, tuple[str, date]]]:
    """Evaluate the subjects that need it.

    Returns each alerting subject's org unit (for routing and filters), the subjects carried forward
    unevaluated, and the state to record for each evaluated subject. ``history`` adds facts kept by the
    store (dispositions, as interventions), so rules see what was decided. Only evaluated subjects are
    listed in ``subjects_seen``: a quarantined, held, absent or carried subject's alerts are neither
    cleared nor changed.

    The screen (plan/screen.py) runs first, over frames of every subject: a subject no rule could fire
    on, and with no history the escalation rules read, is evaluated there, with no alert, and its
    facts are never made (``frames``: ``loaded.frames()`` when at hand). Its state in the store
    (``stored``), recorded when it was last let through, is voided: a later night must not carry it on it.

    A spilled load (sources/spill.py) is evaluated a bucket of subjects at a time (sources/buckets.py):
    ``buckets`` of them, or one per ``RW_SCAN_BUCKET_MB`` of input. Each bucket holds its subjects'
    partitions whole, so the answer is the same as in one piece (``tests/run/test_buckets.py``).
    """
    result.facts = sum(loaded.count().values())
    night = _Night(rulesets, as_of, result, evaluator, executor, horizon, renew, states or {}, history)
    if loaded.spill is None:
        night.take(night.look(loaded, loaded.frames() if frames is None else frames))
    else:
        split = Buckets(loaded, buckets or buckets_for(loaded.input_bytes))
        result.buckets = split.count

        def look(numbered: tuple[int, LoadResult]) -> _Looked:
            number, part = numbered
            return night.look(part, part.frames(), split, number)

        # RW_SCAN_BUCKETS_AT_ONCE=2: two buckets looked at side by side (Polars works outside the GIL), taken in
        # order: at 100k, 7% faster for 160 MB more (docs/design.md)
        at_once = settings().scan_buckets_at_once
        for number, looked in enumerate(in_order(look, enumerate(split), threads=at_once, ahead=at_once - 1)):
            night.take(looked)
            renew("buckets", number + 1, split.count)
    night.evaluate()
    outcome = night.outcome.sorted()
    screened_out = night.screened_out_sorted()
    result.subjects = night.present
    result.held_subjects = sorted(night.held)
    result.screened_subjects = screened_out
    result.planned_subjects = night.planned
    result.alerts = outcome.alerts
    result.subjects_seen = sorted([*outcome.evaluated, *screened_out])
    result.engine_subjects = outcome.engine_subjects
    result.quarantined += outcome.quarantined
    new_states = outcome.states
    if horizon is not None:  # a state recorded when the subject was last let through no longer describes it
        new_states.update({s: ("", as_of) for s in screened_out if s in (stored or {})})
    return night.units, night.carried, new_states


@dataclass
class _Looked:
    """One bucket as the columnar steps see it (``_Night.look``)."""

    present: set[str]
    held: list[str]
    through: set[str]
    partitions: list[Partition]
    units: dict[str, str]


@dataclass
class _Night:
    """What a scan's evaluation gathers over its buckets of subjects (one bucket: the whole input)."""

    rulesets: Sequence[Ruleset]
    as_of: date
    result: ScanResult
    evaluator: EvaluatorName
    executor: Executor
    horizon: Horizon | None
    renew: Progress
    states: Mapping[str, SubjectState]
    history: Sequence[Fact]
    outcome: Outcome = field(default_factory=Outcome)
    units: dict[str, str] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)
    screened_out: list[pl.Series] = field(default_factory=list)  # a column per bucket: compact at 10^6 subjects
    held: list[str] = field(default_factory=list)
    present: int = 0
    planned: int = 0
    todo: list[Partition] = field(default_factory=list)  # let through by the screen, not yet evaluated
    screens: dict[str, Screen] = field(default_factory=dict)  # by subject kind, compiled once for every bucket

    def __post_init__(self) -> None:
        self.remembered = {s for f in self.history for s in f.subject_ids()}  # the escalation rules read them

    def look(
        self,
        loaded: LoadResult,
        frames: Mapping[str, pl.DataFrame],
        split: Buckets | None = None,
        bucket: int = 0,
    ) -> _Looked:
        """What the columnar steps say of one bucket of ``split`` (or of the whole load): who is present, held,
        let through, and their partitions. Reads the night and changes nothing of it, so two buckets can be
        looked at side by side; ``take`` then plans them, in order."""
        if split is None:
            membership = members(frames)
        else:
            count = split.count
            membership = members(
                frames,
                split.keyed,
                only=lambda m: in_bucket(m, bucket, count),
                pointed=split.pointed,
                linkers=split.linkers,
            )
        present, held = present_subjects(membership, loaded.quarantined)
        remembered = self.remembered & present
        passing = screened(self.rulesets, frames, membership, present, self.as_of, self.screens)
        through = remembered | passing
        partitions = partitions_of(loaded, membership, through, self.history)
        units = org_units(loaded, partitions)  # every cadre's: only an evaluated subject's can be on an alert
        return _Looked(present, held, through, partitions, {s: units[s] for s in through if s in units})

    def take(self, looked: _Looked) -> None:
        """A bucket's partitions planned (carried or to evaluate); evaluated once ``EVALUATE_AT`` are waiting."""
        self.present += len(looked.present)
        self.held += looked.held
        self.units.update(looked.units)
        todo, carried = plan(looked.partitions, self.states, self.result.ruleset_hash, self.as_of)
        self.carried += carried
        self.planned += len(todo)
        self.todo += todo
        if len(self.todo) >= EVALUATE_AT:
            self.evaluate()
        self.screened_out.append(pl.Series(sorted(looked.present - looked.through), dtype=pl.String))

    def screened_out_sorted(self) -> list[str]:
        """The subjects evaluated by the screen alone, sorted."""
        return pl.concat(self.screened_out).sort().to_list() if self.screened_out else []

    def evaluate(self) -> None:
        """Evaluate the partitions gathered so far: once at the end of most scans (one engine compiled, one
        pool of workers), or each time ``EVALUATE_AT`` of them are waiting."""
        if self.todo:
            self.outcome.merge(
                self.executor.run(
                    self.rulesets,
                    self.todo,
                    self.as_of,
                    evaluator=self.evaluator,
                    on_progress=lambda done, total: self.renew("spans", done, total),
                    horizon=self.horizon,
                )
            )
        self.todo = []
