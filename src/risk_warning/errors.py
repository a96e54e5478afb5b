"""Errors of risk_warning, each able to say where and what to do.

Exception tree::

    RiskWarningError
    ├── RulesetError        a ruleset (or site-override file) has one or more Diagnostics
    ├── DataError           input records were rejected (fail-fast mode only; otherwise quarantined)
    ├── MappingError        a site mapping file (headers, codes, file names) has one or more Diagnostics
    ├── ConfigError         a setting is missing or invalid (RW_TOKEN_KEY, ...)
    ├── StoreError          a lifecycle change that is not allowed, or an alert that does not exist
    ├── ScanInProgressError another scan holds the store's lease
    ├── ScanRefusedError    a scan's input was not whole (or too much of it quarantined): nothing was written
    ├── EngineLimitError    a compiled ruleset would exceed a limit of the durable-rules engine
    └── EngineError         the engine reported an error or an impossible result while evaluating

A record left out of a scan is a ``QuarantinedRecord`` (where, which type and field, why, and the
subjects it names). Every user-facing problem is a ``Diagnostic``: a ``SourceLocation`` (path, line, col), a ``Reason``
code (an enum, so the CLI and the store group problems without parsing messages), a message and,
where one exists, a suggestion.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where a problem is: a file, and a 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


class Reason(enum.StrEnum):
    """Reason codes for diagnostics and quarantined records."""

    # rulesets
    YAML_SYNTAX = "yaml-syntax"
    SCHEMA = "schema"
    UNKNOWN_KEY = "unknown-key"
    DUPLICATE_ID = "duplicate-id"
    EXPRESSION_SYNTAX = "expression-syntax"
    UNKNOWN_NAME = "unknown-name"
    UNKNOWN_FIELD = "unknown-field"
    UNKNOWN_FACT_TYPE = "unknown-fact-type"
    TYPE_MISMATCH = "type-mismatch"
    BAD_VALUE = "bad-value"
    PERSONAL_DATA = "personal-data"
    UNSUPPORTED = "unsupported"
    TEMPLATE = "template"
    ENGINE_LIMIT = "engine-limit"
    WRONG_SUBJECT = "wrong-subject"
    ENCODING = "encoding"  # a file that is not UTF-8
    LIMIT = "limit"  # a file, a YAML document or an expression past one of the documented limits
    # input records
    MISSING_FIELD = "missing-field"
    INVALID_VALUE = "invalid-value"
    UNKNOWN_FILE = "unknown-file"
    UNREADABLE = "unreadable"
    DUPLICATE_RECORD = "duplicate-record"
    UNKNOWN_COLUMN = "unknown-column"
    MISSING_COLUMN = "missing-column"
    BAD_DATE = "bad-date"
    BROKEN_RECORD = "broken-record"
    DANGLING_REFERENCE = "dangling-reference"
    STORE_OWNED = "store-owned"  # a file of a fact type only the alert store writes (signals, ...): skipped
    # evaluation
    ENGINE_CRASH = "engine-crash"
    OVER_BUDGET = "over-budget"  # a rule would cross-join too many of one subject's facts (plan/budget.py)


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located, with a reason code and an optional suggestion."""

    location: SourceLocation
    reason: Reason
    message: str
    suggestion: str = ""
    rule_id: str = ""

    def __str__(self) -> str:
        rule = f" [{self.rule_id}]" if self.rule_id else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        return f"{self.location}: {self.reason.value}{rule}: {self.message}{hint}"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A 'did you mean X?' suggestion, or '' when nothing is close."""
    # short Chinese terms differ by one character in two: a lower cutoff still finds them
    cutoff = 0.5 if len(word) <= 4 else 0.6
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def listed(names: Iterable[str], where: str = "", limit: int = 5) -> str:
    """At most ``limit`` names, then how many more and where to find them all: a hint is read, not scanned."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    rest = f" and {len(names) - limit} more" + (f" ({where})" if where else "")
    return ", ".join(names[:limit]) + rest


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record left out of evaluation, where it came from, and why. Nothing is dropped silently.

    ``subjects`` are the subjects the record names, where they could be read (a cadre id in an
    otherwise broken row): a scan holds those subjects back rather than evaluate them without it.
    """

    location: SourceLocation
    fact_type: str
    reason: Reason
    message: str
    field: str = ""
    subjects: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" field {self.field}" if self.field else ""
        return f"{self.location}:{where} {self.reason.value}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """As stored and printed: where (path, line, col), what type and field, why."""
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "fact_type": self.fact_type,
            "field": self.field,
            "reason": self.reason.value,
            "message": self.message,
        }


class RiskWarningError(Exception):
    """The root of every error risk_warning raises on purpose."""


@dataclass
class RulesetError(RiskWarningError):
    """A ruleset failed to load; carries every diagnostic found, not only the first."""

    diagnostics: Sequence[Diagnostic] = field(default_factory=tuple)

    def __str__(self) -> str:
        lines = [str(d) for d in self.diagnostics]
        return f"{len(lines)} problem(s) in ruleset:\n" + "\n".join(lines)


@dataclass
class DataError(RiskWarningError):
    """Input records were rejected and the caller asked to fail fast."""

    diagnostics: Sequence[Diagnostic] = field(default_factory=tuple)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


@dataclass
class MappingError(RiskWarningError):
    """A site mapping file failed to load; carries every diagnostic found."""

    diagnostics: Sequence[Diagnostic] = field(default_factory=tuple)

    def __str__(self) -> str:
        lines = [str(d) for d in self.diagnostics]
        return f"{len(lines)} problem(s) in the mapping file:\n" + "\n".join(lines)


class StoreError(RiskWarningError):
    """A lifecycle operation that is not allowed, or names an alert that does not exist."""


class NotFoundError(StoreError):
    """No such alert, disposition, assignment or key, or not one the principal sees (the service's 404)."""


class ConflictError(StoreError):
    """The record is not in a state that allows this change (the service's 409); says the state it is in."""


class StoreUnavailableError(RiskWarningError):
    """The store cannot be used as asked: there is none, its schema is older than this version's, or it
    cannot be reached. The message says which and what to do (``risk-warning db upgrade``, the URL)."""


class ScanInProgressError(RiskWarningError):
    """Another scan holds the lease on this store."""

    def __init__(self, holder: str, expires_at: datetime) -> None:
        super().__init__(f"a scan is in progress (held by {holder} until {expires_at.isoformat()})")
        self.holder = holder
        self.expires_at = expires_at


class ConfigError(RiskWarningError):
    """A setting is missing or invalid; the message names the ``RW_*`` variable and what to do."""


class ScanRefusedError(RiskWarningError):
    """The input check refused the scan; it was recorded as refused and no alert was touched.

    ``data_errors``: a file was refused or quarantined beyond the limit (fix the export); otherwise the
    input shrank against the last scan (accept it by name if it is real, e.g. a reorganisation).
    """

    def __init__(self, scan_id: int, reasons: Sequence[str], *, data_errors: bool) -> None:
        super().__init__("the scan was refused; no alert was changed:\n" + "\n".join(f"  {r}" for r in reasons))
        self.scan_id = scan_id
        self.reasons = list(reasons)
        self.data_errors = data_errors


class EngineLimitError(RiskWarningError):
    """A compiled ruleset exceeds a limit of the durable-rules engine and cannot be split."""


class OverBudgetError(RiskWarningError):
    """A rule would test more combinations of one subject's facts than the per-subject budget allows
    (plan/budget.py); the subject was not evaluated. Scans quarantine the subject and go on."""

    def __init__(self, subject: str, message: str) -> None:
        super().__init__(f"subject {subject}: {message}")
        self.subject = subject
        self.detail = message


class EngineError(RiskWarningError):
    """The engine reported an error, or returned a result the adapter refuses to trust."""
