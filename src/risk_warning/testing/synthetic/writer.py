"""Stream records to one CSV file per fact type, as the directory source reads them back."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from risk_warning.facts.registry import FACT_MODELS


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


class CsvFacts:
    """Open files lazily, one per fact type, with every field of the type as a column."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, tuple[IO[str], Any, list[str]]] = {}
        self.counts: dict[str, int] = {}

    def write(self, fact_type: str, record: Mapping[str, Any]) -> None:
        if fact_type not in self._files:
            columns = list(FACT_MODELS[fact_type].model_fields)
            handle = (self.out / f"{fact_type}.csv").open("w", encoding="utf-8", newline="")
            writer = csv.writer(handle)
            writer.writerow(columns)
            self._files[fact_type] = (handle, writer, columns)
        _, writer, columns = self._files[fact_type]
        unknown = set(record) - set(columns)
        if unknown:
            raise ValueError(f"{fact_type} has no field(s) {sorted(unknown)}")
        writer.writerow([cell(record.get(c)) for c in columns])
        self.counts[fact_type] = self.counts.get(fact_type, 0) + 1

    def close(self) -> None:
        for handle, _, _ in self._files.values():
            handle.close()
        self._files.clear()

    def __enter__(self) -> CsvFacts:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
