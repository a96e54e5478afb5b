"""What a source gives: typed facts, and the records it had to quarantine, each with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from risk_warning.errors import Reason, SourceLocation
from risk_warning.facts._base import Fact


@dataclass(frozen=True)
class QuarantinedRecord:
    """A record left out of evaluation, where it came from, and why. Nothing is dropped silently."""

    location: SourceLocation
    fact_type: str
    reason: Reason
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f" field {self.field}" if self.field else ""
        return f"{self.location}:{where} {self.reason.value}: {self.message}"


@dataclass
class LoadResult:
    facts: list[Fact] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.facts.extend(other.facts)
        self.quarantined.extend(other.quarantined)


class Source(Protocol):
    """Anything that yields facts: a directory of files, memory, a database."""

    name: str

    def load(self) -> LoadResult: ...

    def __iter__(self) -> Iterator[Fact]: ...
