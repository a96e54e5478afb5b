"""An in-memory source: facts handed over by an embedding application or a test."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from risk_warning.errors import Reason, SourceLocation
from risk_warning.facts._base import Fact
from risk_warning.facts.records import validate_record
from risk_warning.sources.base import LoadResult, QuarantinedRecord


class MemorySource:
    """Typed facts, or raw records by fact type (validated like any file)."""

    def __init__(self, facts: Iterable[Fact] = (), *, name: str = "memory") -> None:
        self.name = name
        self._facts = list(facts)
        self._quarantined: list[QuarantinedRecord] = []

    @classmethod
    def from_records(
        cls,
        records: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        name: str = "memory",
        fill_keys: bool = False,
    ) -> MemorySource:
        source = cls(name=name)
        for type_name, rows in records.items():
            for index, row in enumerate(rows):
                location = SourceLocation(f"{name}/{type_name}", index + 1)
                fact, problems = validate_record(type_name, row, fill_keys=fill_keys)
                if fact is not None:
                    source._facts.append(fact)
                for fld, message in problems:
                    source._quarantined.append(
                        QuarantinedRecord(location, type_name, Reason.INVALID_VALUE, message, fld)
                    )
        return source

    def load(self) -> LoadResult:
        return LoadResult(list(self._facts), list(self._quarantined))

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._facts)
