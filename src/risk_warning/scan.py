"""The one orchestration: sources -> facts -> indicators -> engine -> alerts -> store.

With a store, a scan first takes the store's lease (one scan at a time), renews it as it goes, and
writes its results in one transaction at the end: a scan killed at any point leaves nothing that the
next scan does not repair.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from risk_warning.alerts.model import Alert
from risk_warning.facts.personnel import Cadre
from risk_warning.partition import partition_facts
from risk_warning.pipeline import Engine, EvaluatorName
from risk_warning.rules.program import Ruleset
from risk_warning.sources.base import QuarantinedRecord, Source
from risk_warning.store.repository import AlertStore
from risk_warning.workers import evaluate_in_workers

LEASE_TTL = timedelta(minutes=10)
LEASE_RENEW_SECONDS = 60.0


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


def rulesets_hash(rulesets: Sequence[Ruleset]) -> str:
    joined = "".join(sorted(rs.content_hash for rs in rulesets))
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
) -> ScanResult:
    """Evaluate every subject in ``source`` as of a date; record the run in ``store`` when given.

    ``workers`` > 0 evaluates in that many processes, so an engine crash costs one subject (quarantined
    with a reason) and not the scan. Raises ScanInProgressError when another scan holds the store's lease.
    """
    result = ScanResult(as_of, rulesets_hash(rulesets))
    if store is None:
        _evaluate(rulesets, source, as_of, result, evaluator, workers, renew=lambda: None)
        return result
    holder = lease_holder()
    store.acquire_lease(holder, LEASE_TTL)
    try:
        scan_id = store.start_scan(as_of, result.ruleset_hash)
        result.scan_id = scan_id
        last_renewal = time.monotonic()

        def renew() -> None:
            nonlocal last_renewal
            if time.monotonic() - last_renewal > LEASE_RENEW_SECONDS:
                store.acquire_lease(holder, LEASE_TTL)
                last_renewal = time.monotonic()

        try:
            units = _evaluate(rulesets, source, as_of, result, evaluator, workers, renew)
            result.new_alerts, result.cleared_alerts = store.finish_scan(
                scan_id, result.alerts, result.quarantined, result.subjects_seen, units
            )
        except BaseException as exc:
            store.fail_scan(scan_id, f"{type(exc).__name__}: {exc}")
            raise
    finally:
        store.release_lease(holder)
    return result


def _evaluate(
    rulesets: Sequence[Ruleset],
    source: Source,
    as_of: date,
    result: ScanResult,
    evaluator: EvaluatorName,
    workers: int,
    renew: Callable[[], None],
) -> dict[str, str]:
    """Evaluate every subject; returns each cadre's org unit (for routing and filters).

    Only subjects that were evaluated are listed in ``subjects_seen``: a quarantined subject's alerts
    are neither cleared nor changed by this scan.
    """
    loaded = source.load()
    result.quarantined = list(loaded.quarantined)
    result.facts = len(loaded.facts)
    units = {f.cadre_id: f.org_unit_id for f in loaded.facts if isinstance(f, Cadre) and f.org_unit_id}
    partitions = list(partition_facts(loaded.facts))
    result.subjects = len(partitions)
    if workers > 0:
        outcome = evaluate_in_workers(
            rulesets, partitions, as_of, workers=workers, evaluator=evaluator, on_progress=renew
        )
        result.alerts, result.subjects_seen = outcome.alerts, outcome.evaluated
        result.quarantined += outcome.quarantined
        renew()
        return units
    with Engine(rulesets, evaluator=evaluator) as engine:
        for subject, members in partitions:
            result.subjects_seen.append(subject)
            result.alerts.extend(engine.evaluate_subject(subject, members, as_of))
            renew()
    result.alerts.sort(key=lambda a: (-a.grade.rank, a.subject_id, a.rule_id, a.fingerprint))
    return units
