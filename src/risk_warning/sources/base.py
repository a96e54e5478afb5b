"""What a source gives: typed facts, the records it had to quarantine (each with a reason), and an
account of every file it read: records read = accepted + quarantined, or the whole file refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from risk_warning.errors import QuarantinedRecord as QuarantinedRecord  # moved to errors; kept here for imports
from risk_warning.facts._base import Fact


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
