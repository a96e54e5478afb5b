"""From normalised records to facts: validate, de-duplicate, quarantine with the subjects a record names.

Shared by every reader of files (directory.py) and forms (lrmx.py), so each counts its records the same
way: a record is accepted once, or quarantined with file, row, column, reason and the subjects it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from risk_warning.errors import Reason, SourceLocation
from risk_warning.facts._base import subject_id
from risk_warning.facts.records import validate_record
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.sources.base import (
    LINE,
    SEQ,
    FactTable,
    FileReport,
    LoadResult,
    QuarantinedRecord,
    TypedRows,
    in_load_order,
)
from risk_warning.sources.columns import Record, column_of, header_names
from risk_warning.sources.mapping import SiteMapping
from risk_warning.sources.readers import FileRefused, RawTable

KEY, PART, HASH = "__key__", "__part__", "__hash__"
DEDUP_ROWS = 2_000_000  # records of one type searched for repeated keys at a time
_SEED = 7  # a record's key as text, and the number of the table it came from


def refuse(report: FileReport, result: LoadResult, refused: FileRefused, table: RawTable | None) -> None:
    """No record of the file is used; every one of them is counted as quarantined with the file's reason."""
    report.refused = str(refused)
    report.read = table.size if table is not None else 0
    if report.read:
        report.reasons["file-refused"] = report.read
    message = f"{refused}; the whole file was refused ({report.read} record(s) not used)"
    result.quarantined.append(QuarantinedRecord(SourceLocation(report.path), report.fact_type, refused.reason, message))


def accept(
    item: Record | TypedRows,
    table: RawTable,
    fact_type: str,
    mapping: SiteMapping,
    report: FileReport,
    result: LoadResult,
) -> None:
    """Take a chunk's typed rows, or validate one doubted record; quarantine it (with the subjects it names)
    or keep it. Duplicate keys are found once the whole load is read (``drop_duplicates``)."""
    if isinstance(item, TypedRows):
        item.report = report
        report.accepted += item.frame.height
        result.take(item)
        return
    record = item
    fact, problems = validate_record(fact_type, record.values, clean=False)
    if record.problems:
        already = {f for f, _ in record.problems}
        problems = record.problems + [p for p in problems if p[0] not in already]
    if not problems:
        assert fact is not None
        if record.month_only:
            fact.mark_month_only(record.month_only)
        chunk = result.pending[-1] if result.pending else None
        seq = chunk.base + record.position if chunk is not None and chunk.name == table.name else None
        key_column = column_of(table, fact_type, mapping, fact.key_field)
        result.add(fact, seq, (report, table.name, record.line, key_column))
        report.accepted += 1
        return
    subjects = tuple(fact.subject_ids()) if fact is not None else subjects_named(fact_type, record.values)
    _quarantine(problems, subjects, record.line, table, fact_type, mapping, report, result)


def drop_duplicates(result: LoadResult) -> None:
    """A record whose key an earlier record of its type already has is quarantined (the first one stands).

    Found by column over the whole load, in load order: "same key as <file> row <n>" names the first.
    Each record's table is carried as a number (``PART``) and named only for the duplicates.
    """
    result.seal()
    types = {f.fact_type for _, f in result.objects} | {t.fact_type for t in result.tables}
    for fact_type in sorted(types):
        key_field = FACT_MODELS[fact_type].key_field
        names: list[str] = []
        loose = None
        objects = [(seq, f) for seq, f in result.objects if f.fact_type == fact_type and seq in result.origins]
        if objects:
            named = sorted({result.origins[seq][1] for seq, _ in objects})
            part = {name: i for i, name in enumerate(named)}
            names += named
            loose = pl.DataFrame(
                {
                    SEQ: [seq for seq, _ in objects],
                    KEY: [str(getattr(f, key_field)) for _, f in objects],
                    LINE: [result.origins[seq][2] for seq, _ in objects],
                    PART: [part[result.origins[seq][1]] for seq, _ in objects],
                },
                schema={SEQ: pl.Int64, KEY: pl.String, LINE: pl.Int64, PART: pl.Int32},
            )
        tables = [table for table in result.tables if table.fact_type == fact_type]
        numbered = list(enumerate(tables, start=len(names)))
        names += [table.name for table in tables]
        found = _duplicates(loose, numbered, key_field)
        if found is None:
            continue
        later, firsts = found
        table_names = pl.Series(names, dtype=pl.String)
        later = later.join(
            firsts.select(KEY, pl.col(PART).alias("__first__"), pl.col(LINE).alias("__at__")), on=KEY, how="left"
        ).sort(SEQ)
        named_rows = later.with_columns(
            pl.col(PART).replace_strict(range(len(names)), table_names).alias("__table__"),
            pl.col("__first__").replace_strict(range(len(names)), table_names).alias("__first__"),
        )
        _quarantine_duplicates(result, fact_type, named_rows)


def key_hash(key: pl.Expr) -> pl.Expr:
    """A 64-bit hash of a key's text (equal keys, equal hashes; two keys may share one)."""
    return key.hash(_SEED)


def _duplicates(
    loose: pl.DataFrame | None, tables: list[tuple[int, FactTable]], key_field: str
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """(the records whose key an earlier record has; the first record of each such key), as (SEQ, KEY, LINE,
    PART); None when no key repeats.

    The keys are compared as 64-bit hashes first (sorted, neighbours compared: a tenth of the time of
    comparing the text), and as text only among the records whose hash repeats, so a hash that two keys
    share never makes a duplicate. A type of more than ``DEDUP_ROWS`` records is searched a hash partition
    at a time, so memory holds the hashes of one partition, not of the whole export."""
    rows = (loose.height if loose is not None else 0) + sum(table.height for _, table in tables)
    passes = max(1, -(-rows // DEDUP_ROWS))
    hashed = key_hash(pl.col(KEY)).alias(HASH)

    def keys(table: FactTable, number: int) -> pl.DataFrame:
        return table.columns(SEQ, key_field, LINE).select(
            SEQ, pl.col(key_field).cast(pl.String).alias(KEY), LINE, pl.lit(number, dtype=pl.Int32).alias(PART)
        )

    def hashes_of(table: FactTable) -> pl.DataFrame:  # the key column alone: every pass reads it
        return table.columns(SEQ, key_field).select(SEQ, key_hash(pl.col(key_field).cast(pl.String)).alias(HASH))

    later_parts, first_parts = [], []
    for part in range(passes):
        in_part = pl.lit(True) if passes == 1 else pl.col(HASH) % passes == part
        hashes = [loose.select(SEQ, hashed).filter(in_part)] if loose is not None else []
        hashes += [hashes_of(table).filter(in_part) for _, table in tables]
        every = pl.concat(hashes, rechunk=False)
        ordered = every.get_column(HASH).sort()
        repeated = ordered.filter(ordered == ordered.shift(1))
        if repeated.is_empty():
            continue
        suspects = every.filter(pl.col(HASH).is_in(repeated.unique().implode())).get_column(SEQ).implode()
        pieces = [loose.filter(pl.col(SEQ).is_in(suspects))] if loose is not None else []
        pieces += [keys(table, number).filter(pl.col(SEQ).is_in(suspects)) for number, table in tables]
        found = in_load_order(pl.concat(pieces, rechunk=False))
        first = pl.col(KEY).is_first_distinct()
        later = found.filter(~first)
        if not later.is_empty():
            later_parts.append(later)
            first_parts.append(found.filter(first & pl.col(KEY).is_in(later.get_column(KEY).implode())))
    if not later_parts:
        return None
    return pl.concat(later_parts), pl.concat(first_parts)


def _quarantine_duplicates(result: LoadResult, fact_type: str, later: pl.DataFrame) -> None:
    key_field = FACT_MODELS[fact_type].key_field
    gone = set(later.get_column(SEQ).to_list())
    found = dict(result.pairs_of(later.get_column(SEQ)))
    origins: dict[int, tuple[FileReport | None, int]] = {}
    for table in result.tables:
        if table.fact_type == fact_type:
            hit = table.frame.filter(pl.col(SEQ).is_in(later.get_column(SEQ).implode()))
            for seq in hit.get_column(SEQ).to_list():
                origins[seq] = (table.report, table.key_column)
            table.frame = table.frame.filter(~pl.col(SEQ).is_in(later.get_column(SEQ).implode()))
    for seq, origin in result.origins.items():
        if seq in gone:
            origins[seq] = (origin[0], origin[3])
    result.objects = [(seq, f) for seq, f in result.objects if seq not in gone]
    for seq, table, line, first, at in later.select(SEQ, "__table__", LINE, "__first__", "__at__").iter_rows():
        owner, column = origins[seq]
        message = f"same {key_field} as {first} row {at}; this record was skipped"
        subjects = tuple(found[seq].subject_ids())
        location = SourceLocation(table, line, column)
        result.quarantined.append(
            QuarantinedRecord(location, fact_type, Reason.DUPLICATE_RECORD, message, key_field, subjects)
        )
        if owner is not None:
            owner.accepted -= 1
            owner.reasons[Reason.DUPLICATE_RECORD.value] += 1


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
