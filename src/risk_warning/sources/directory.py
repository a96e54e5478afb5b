"""A directory of files, one per fact type: ``appointment.csv``, ``complaint.jsonl``, ``cadre.json``.

CSV: a header row, one record a row (line numbers count the header as line 1); UTF-8 with or
without BOM. JSONL: one object a line. JSON: a list of objects (row = index + 1).
Bad records are quarantined with file, row, field and reason; the rest go on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from risk_warning.errors import DataError, Diagnostic, Reason, SourceLocation, did_you_mean
from risk_warning.facts._base import Fact
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.sources.base import LoadResult, QuarantinedRecord
from risk_warning.sources.records import validate_record

SUFFIXES = (".csv", ".jsonl", ".json")


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                yield reader.line_num, row
    elif path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                if line.strip():
                    yield line_no, json.loads(line)
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError("a .json fact file holds a list of records")
        yield from enumerate(data, start=1)


class DirectorySource:
    """``fail_fast=True`` raises DataError listing the bad records instead of quarantining them."""

    def __init__(self, root: str | Path, *, fail_fast: bool = False) -> None:
        self.root = Path(root)
        self.name = str(self.root)
        self.fail_fast = fail_fast

    def load(self) -> LoadResult:
        result = self._load()
        if self.fail_fast and result.quarantined:
            raise DataError(
                [
                    Diagnostic(q.location, q.reason, f"{q.field}: {q.message}" if q.field else q.message)
                    for q in result.quarantined
                ]
            )
        return result

    def _load(self) -> LoadResult:
        result = LoadResult()
        if not self.root.is_dir():
            where = SourceLocation(str(self.root))
            result.quarantined.append(QuarantinedRecord(where, "", Reason.UNREADABLE, "not a directory of fact files"))
            return result
        for path in sorted(self.root.iterdir()):
            if path.suffix not in SUFFIXES or path.name.startswith("."):
                continue
            result.extend(self._load_file(path))
        return result

    def _load_file(self, path: Path) -> LoadResult:
        result = LoadResult()
        type_name = path.stem
        if type_name not in FACT_MODELS:
            hint = did_you_mean(type_name, FACT_MODELS) or "name files after a fact type, e.g. appointment.csv"
            result.quarantined.append(
                QuarantinedRecord(
                    SourceLocation(str(path)),
                    type_name,
                    Reason.UNKNOWN_FILE,
                    f"unknown fact type '{type_name}'; the whole file was skipped ({hint})",
                )
            )
            return result
        seen: dict[str, int] = {}
        try:
            for row_no, record in _rows(path):
                location = SourceLocation(str(path), row_no)
                if not isinstance(record, dict):
                    result.quarantined.append(
                        QuarantinedRecord(location, type_name, Reason.INVALID_VALUE, "a record must be an object")
                    )
                    continue
                fact, problems = validate_record(type_name, record)
                for fld, message in problems:
                    result.quarantined.append(
                        QuarantinedRecord(location, type_name, Reason.INVALID_VALUE, message, fld)
                    )
                if fact is None:
                    continue
                if fact.key in seen:
                    result.quarantined.append(
                        QuarantinedRecord(
                            location,
                            type_name,
                            Reason.DUPLICATE_RECORD,
                            f"same {fact.key_field} as row {seen[fact.key]}; this row was skipped",
                            fact.key_field,
                        )
                    )
                    continue
                seen[fact.key] = row_no
                result.facts.append(fact)
        except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
            result.quarantined.append(
                QuarantinedRecord(SourceLocation(str(path)), type_name, Reason.UNREADABLE, str(exc))
            )
        return result

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.load().facts)
