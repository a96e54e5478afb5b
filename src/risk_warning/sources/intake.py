"""From normalised records to facts: validate, de-duplicate, quarantine with the subjects a record names.

Shared by every reader of files (directory.py) and forms (lrmx.py), so each counts its records the same
way: a record is accepted once, or quarantined with file, row, column, reason and the subjects it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from risk_warning.errors import Reason, SourceLocation
from risk_warning.facts._base import subject_id
from risk_warning.facts.records import validate_record
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.sources.base import FileReport, LoadResult, QuarantinedRecord
from risk_warning.sources.columns import Record, TypedRun, column_of, header_names
from risk_warning.sources.mapping import SiteMapping
from risk_warning.sources.readers import FileRefused, RawTable

Seen = dict[str, dict[str, tuple[str, int]]]  # fact type -> key -> (table, row) the accepted record came from


def refuse(report: FileReport, result: LoadResult, refused: FileRefused, table: RawTable | None) -> None:
    """No record of the file is used; every one of them is counted as quarantined with the file's reason."""
    report.refused = str(refused)
    report.read = table.size if table is not None else 0
    if report.read:
        report.reasons["file-refused"] = report.read
    message = f"{refused}; the whole file was refused ({report.read} record(s) not used)"
    result.quarantined.append(QuarantinedRecord(SourceLocation(report.path), report.fact_type, refused.reason, message))


def accept(
    item: Record | TypedRun,
    table: RawTable,
    fact_type: str,
    mapping: SiteMapping,
    report: FileReport,
    result: LoadResult,
    seen: Seen,
) -> None:
    """Validate one normalised record, or take a run of typed rows; quarantine (with the subjects named) or keep."""
    if isinstance(item, TypedRun):
        _accept_run(item, table, mapping, report, result, seen)
        return
    record = item
    fact, problems = validate_record(fact_type, record.values, clean=False)
    if record.problems:
        already = {f for f, _ in record.problems}
        problems = record.problems + [p for p in problems if p[0] not in already]
    if not problems:
        assert fact is not None
        first = _first(seen, fact_type, fact.key, table.name, record.line)
        if first is None:
            if record.month_only:
                fact.mark_month_only(record.month_only)
            result.add(fact)
            report.accepted += 1
            return
        problems = [(fact.key_field, _duplicate(fact.key_field, first))]
    subjects = tuple(fact.subject_ids()) if fact is not None else subjects_named(fact_type, record.values)
    _quarantine(problems, subjects, record.line, table, fact_type, mapping, report, result)


def _accept_run(
    run: TypedRun, table: RawTable, mapping: SiteMapping, report: FileReport, result: LoadResult, seen: Seen
) -> None:
    """Rows the column checks were sure of: each kept in its chunk unless its key was seen already."""
    rows = run.rows
    if not rows.registered:
        rows.registered = True
        result.pending.append(rows)
    model = FACT_MODELS[rows.fact_type]
    keys = seen.setdefault(rows.fact_type, {})
    prefix = f"{rows.fact_type}:"
    for index, line in enumerate(run.lines, start=run.start):
        key = prefix + str(rows.keys[index])
        first = keys.get(key)
        if first is None:
            keys[key] = (table.name, line)
            rows.keep(index, result.seq())
            report.accepted += 1
            continue
        problems = [(model.key_field, _duplicate(model.key_field, first))]
        subjects = tuple(rows.fact(index).subject_ids())
        _quarantine(problems, subjects, line, table, rows.fact_type, mapping, report, result)


def _first(seen: Seen, fact_type: str, key: str, table: str, line: int) -> tuple[str, int] | None:
    """Where a record with this key was first accepted; None (and now it is) when it is the first."""
    keys = seen.setdefault(fact_type, {})
    first = keys.get(key)
    if first is None:
        keys[key] = (table, line)
    return first


def _duplicate(key_field: str, first: tuple[str, int]) -> str:
    return f"same {key_field} as {first[0]} row {first[1]}; this record was skipped"


def _quarantine(
    problems: list[tuple[str, str]],
    subjects: tuple[str, ...],
    line: int,
    table: RawTable,
    fact_type: str,
    mapping: SiteMapping,
    report: FileReport,
    result: LoadResult,
) -> None:
    reasons = [_reason(message) for _, message in problems]
    for (fld, message), reason in zip(problems, reasons, strict=True):
        location = SourceLocation(table.name, line, column_of(table, fact_type, mapping, fld))
        result.quarantined.append(QuarantinedRecord(location, fact_type, reason, message, fld, subjects))
    report.reasons[reasons[0].value] += 1


def _reason(message: str) -> Reason:
    if message.startswith("not a date"):
        return Reason.BAD_DATE
    return Reason.DUPLICATE_RECORD if message.startswith("same ") else Reason.INVALID_VALUE


def by_field(fact_type: str, mapping: SiteMapping, cells: Mapping[str, str | None]) -> dict[str, str]:
    """A broken record's readable cells by the field their header names."""
    known = header_names(fact_type)
    out: dict[str, str] = {}
    for header, value in cells.items():
        name = mapping.column(fact_type, header) or known.get(header) or known.get(header.lower())
        if name is not None and value:
            out[name] = value
    return out


def subjects_named(fact_type: str, values: Mapping[str, Any]) -> tuple[str, ...]:
    """The subjects a (possibly broken) record names, read from its raw values (a garbled id names nobody)."""
    model = FACT_MODELS[fact_type]
    out: list[str] = []
    for name in model.subject_fields:
        raw = values.get(name)
        items = raw if isinstance(raw, list) else str(raw or "").replace("|", ";").split(";")
        out.extend(v.strip() for v in items if v.strip() and "\ufffd" not in v)
    for kind, where in model.partitions.items():
        raw = values.get(where) if ">" not in where else None
        if isinstance(raw, str) and raw.strip() and "\ufffd" not in raw:
            out.append(subject_id(kind, raw.strip()))
    return tuple(out)
