"""risk_warning: integrity-risk early warning (廉政风险预警) for cadre management.

Typed facts in, graded alerts out::

    from datetime import date
    from risk_warning import DirectorySource, Engine, load_rulesets

    engine = Engine(load_rulesets(["rulesets/"]))
    alerts = engine.evaluate(DirectorySource("fixtures/demo").load().facts, as_of=date(2026, 6, 30))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from risk_warning.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from risk_warning.alerts.model import Alert, EducationContext, Evidence
    from risk_warning.errors import (
        DataError,
        Diagnostic,
        EngineError,
        EngineLimitError,
        MappingError,
        Reason,
        RiskWarningError,
        RulesetError,
        ScanRefusedError,
        SourceLocation,
    )
    from risk_warning.evaluate.subject import Engine
    from risk_warning.facts import FACT_MODELS, Fact
    from risk_warning.grade import Grade
    from risk_warning.rules.loader import load_ruleset, load_rulesets, parse_ruleset
    from risk_warning.rules.program import Ruleset
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import ScanResult, scan
    from risk_warning.sources import (
        DirectorySource,
        FileReport,
        MemorySource,
        QuarantinedRecord,
        SiteMapping,
        load_mapping,
    )
    from risk_warning.store import AlertStore

__all__ = [
    "FACT_MODELS",
    "Alert",
    "AlertStore",
    "DataError",
    "Diagnostic",
    "DirectorySource",
    "EducationContext",
    "Engine",
    "EngineError",
    "EngineLimitError",
    "Evidence",
    "Fact",
    "FileReport",
    "Grade",
    "InputPolicy",
    "MappingError",
    "MemorySource",
    "QuarantinedRecord",
    "Reason",
    "RiskWarningError",
    "Ruleset",
    "RulesetError",
    "ScanRefusedError",
    "ScanResult",
    "SiteMapping",
    "SourceLocation",
    "load_mapping",
    "load_ruleset",
    "load_rulesets",
    "parse_ruleset",
    "scan",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "Alert": "risk_warning.alerts.model",
        "EducationContext": "risk_warning.alerts.model",
        "Evidence": "risk_warning.alerts.model",
        "DataError": "risk_warning.errors",
        "Diagnostic": "risk_warning.errors",
        "EngineError": "risk_warning.errors",
        "EngineLimitError": "risk_warning.errors",
        "MappingError": "risk_warning.errors",
        "Reason": "risk_warning.errors",
        "RiskWarningError": "risk_warning.errors",
        "RulesetError": "risk_warning.errors",
        "ScanRefusedError": "risk_warning.errors",
        "SourceLocation": "risk_warning.errors",
        "Engine": "risk_warning.evaluate.subject",
        "FACT_MODELS": "risk_warning.facts",
        "Fact": "risk_warning.facts",
        "Grade": "risk_warning.grade",
        "load_ruleset": "risk_warning.rules.loader",
        "load_rulesets": "risk_warning.rules.loader",
        "parse_ruleset": "risk_warning.rules.loader",
        "Ruleset": "risk_warning.rules.program",
        "InputPolicy": "risk_warning.run.input_check",
        "ScanResult": "risk_warning.run.scan",
        "scan": "risk_warning.run.scan",
        "DirectorySource": "risk_warning.sources",
        "FileReport": "risk_warning.sources",
        "MemorySource": "risk_warning.sources",
        "QuarantinedRecord": "risk_warning.sources",
        "SiteMapping": "risk_warning.sources",
        "load_mapping": "risk_warning.sources",
        "AlertStore": "risk_warning.store",
    },
)
