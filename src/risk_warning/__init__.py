"""risk_warning: integrity-risk early warning (廉政风险预警) for cadre management.

Typed facts in, graded alerts out::

    from datetime import date
    from risk_warning import DirectorySource, Engine, load_rulesets

    engine = Engine(load_rulesets(["rulesets/"]))
    alerts = engine.evaluate(DirectorySource("fixtures/demo").load().facts, as_of=date(2026, 6, 30))
"""

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
from risk_warning.sources import DirectorySource, FileReport, MemorySource, QuarantinedRecord, SiteMapping, load_mapping
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
