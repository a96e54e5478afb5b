"""What a source gives: typed facts, the records it had to quarantine (each with a reason), and an
account of every file it read: records read = accepted + quarantined, or the whole file refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from risk_warning.errors import Reason, SourceLocation
from risk_warning.facts._base import Fact


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


@dataclass
class FileReport:
    """The data-quality account of one input file.

    ``read`` records were found; each was ``accepted`` or quarantined (``reasons`` counts quarantined
    records by their first reason). A ``refused`` file had a fault that makes every record in it
    untrustworthy (an unknown column, an undecidable encoding): none of its records is used, and
    the scan treats its fact type as missing.
    """

    path: str
    fact_type: str
    read: int = 0
    accepted: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    refused: str = ""
    encoding: str = ""

    @property
    def quarantined(self) -> int:
        return sum(self.reasons.values())

    @property
    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "fact_type": self.fact_type,
            "read": self.read,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "reasons": dict(sorted(self.reasons.items())),
            "refused": self.refused,
            "encoding": self.encoding,
        }


@dataclass
class LoadResult:
    facts: list[Fact] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.facts.extend(other.facts)
        self.quarantined.extend(other.quarantined)
        self.files.extend(other.files)

    @property
    def refused_types(self) -> set[str]:
        """Fact types with a refused file: incomplete tonight, so treated as missing."""
        return {f.fact_type for f in self.files if f.refused}


class Source(Protocol):
    """Anything that yields facts: a directory of files, memory, a database."""

    name: str

    def load(self) -> LoadResult: ...

    def __iter__(self) -> Iterator[Fact]: ...
