"""The one orchestration: sources -> facts -> indicators -> engine -> alerts -> store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from risk_warning.alerts.model import Alert
from risk_warning.partition import partition_facts
from risk_warning.pipeline import Engine, EvaluatorName
from risk_warning.rules.program import Ruleset
from risk_warning.sources.base import QuarantinedRecord, Source
from risk_warning.store.repository import AlertStore


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


def rulesets_hash(rulesets: Sequence[Ruleset]) -> str:
    joined = "".join(sorted(rs.content_hash for rs in rulesets))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def scan(
    rulesets: Sequence[Ruleset],
    source: Source,
    as_of: date,
    *,
    store: AlertStore | None = None,
    evaluator: EvaluatorName = "durable",
) -> ScanResult:
    """Evaluate every subject in ``source`` as of a date; record the run in ``store`` when given."""
    result = ScanResult(as_of, rulesets_hash(rulesets))
    scan_id = store.start_scan(as_of, result.ruleset_hash) if store else None
    try:
        loaded = source.load()
        result.quarantined = loaded.quarantined
        result.facts = len(loaded.facts)
        with Engine(rulesets, evaluator=evaluator) as engine:
            for subject, members in partition_facts(loaded.facts):
                result.subjects += 1
                result.alerts.extend(engine.evaluate_subject(subject, members, as_of))
        result.alerts.sort(key=lambda a: (-a.grade.rank, a.subject_id, a.rule_id, a.fingerprint))
        if store is not None and scan_id is not None:
            result.new_alerts = store.finish_scan(scan_id, result.alerts, result.quarantined, result.subjects)
            result.scan_id = scan_id
    except BaseException:
        if store is not None and scan_id is not None:
            store.fail_scan(scan_id)
        raise
    return result
