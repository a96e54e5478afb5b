"""From a raw table to records of field values: headers, value codes and dates, as column operations.

Headers: a field's own name (any case), its Chinese name in the glossary (with or without the
parenthesised note: ``出生日期(仅显示年份)`` or ``出生日期``), a common HR synonym (``任职时间``), or
what the site mapping file says. A header that is none of these refuses the file (a misspelt
``end_dat`` would otherwise make every appointment look current); so does a required column that is
missing, or two columns that give the same field.

Values: the mapping's code tables (GB/T 2261.1 ...), and 是/否 for yes-no fields.

Dates, in the forms Chinese HR systems write them: ``2019-03-01``, ``2019/3/1``, ``2019.03.01``,
``2019年3月1日``, ``20190301``, a date with a time, an Excel serial day number (five digits: 1927 to
2173), and month-only ``2019.03``, ``2019-03``, ``2019年3月``, ``201903``, read as the first of the
month and marked so that the alert's evidence says so. Anything else (``0``, an impossible
``2019-02-30``, a year outside 1900-2200) is a bad date: the record is quarantined, never read as 1970.
An HR system's "open" date (``RW_OPEN_DATES``, by default 9999-12-31, 9999-01-01 and 2999-12-31: "still in
post") is read as no date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import polars as pl

from risk_warning.errors import Reason, did_you_mean
from risk_warning.facts.glossary import meaning
from risk_warning.facts.records import YES_NO
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS
from risk_warning.settings import settings
from risk_warning.sources.base import LINE, MONTH_ONLY, POSITION, TypedRows
from risk_warning.sources.mapping import SiteMapping
from risk_warning.sources.pipeline import in_order
from risk_warning.sources.readers import FileRefused, LineBlock, LineStream, RawTable
from risk_warning.sources.typed import DOUBT, TypedColumns, completed, typed_columns, with_tokens

# Headers HR systems use that are not the glossary's wording; per fact type, "*" for any.
HR_SYNONYMS: dict[str, dict[str, str]] = {
    "*": {"人员编号": "cadre_id", "干部编号": "cadre_id", "人员编码": "cadre_id"},
    "cadre": {
        "出生年月": "birth_date",
        "公民身份号码": "id_card_no",
        "身份证号码": "id_card_no",
        "手机": "phone",
        "联系电话": "phone",
        "单位编号": "org_unit_id",
    },
    "appointment": {
        "任职时间": "start_date",
        "任职日期": "start_date",
        "免职时间": "end_date",
        "免职日期": "end_date",
        "离任日期": "end_date",
    },
}

DATE_FORMS = "2019-03-01, 2019/3/1, 2019.03.01, 2019年3月1日, 20190301, or a month 2019.03, 201903, 2019年3月"
_EXCEL_EPOCH = date(1899, 12, 30)
CHUNK = 50_000  # rows normalised at a time
DATE, MONTH, BAD = "__date__", "__month__", "__bad__"  # a date column's date, month-only flag, bad flag


@dataclass
class Record:
    line: int
    values: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    month_only: frozenset[str] = frozenset()
    position: int = 0  # in its chunk (its SEQ is the chunk's base plus this)


def _bare(chinese: str) -> str:
    return re.sub(r"[（(].*?[)）]", "", chinese).strip()


@cache
def header_names(fact_type: str) -> dict[str, str]:
    """Every header accepted without a mapping for one fact type -> its field; ambiguous ones left out."""
    names: dict[str, set[str]] = {}
    for name in FACT_MODELS[fact_type].model_fields:
        names.setdefault(name.lower(), set()).add(name)
        zh = meaning(fact_type, name)
        if zh is not None:
            for alias in {zh[0], _bare(zh[0])}:
                names.setdefault(alias, set()).add(name)
    for table in (HR_SYNONYMS["*"], HR_SYNONYMS.get(fact_type, {})):
        for alias, name in table.items():
            if name in FACT_MODELS[fact_type].model_fields:
                names[alias] = {name}
    return {alias: next(iter(fields)) for alias, fields in names.items() if len(fields) == 1}


def resolve_header(table: RawTable, fact_type: str, mapping: SiteMapping) -> list[str | None]:
    """The field of each column (None: ignored); raises FileRefused naming every unknown column."""
    known = header_names(fact_type)
    fields: list[str | None] = []
    unknown: list[str] = []
    for index, header in enumerate(table.header):
        name = mapping.column(fact_type, header) or known.get(header) or known.get(header.lower())
        if name is None and (header in mapping.ignore or (not header and _empty_column(table, header))):
            fields.append(None)
            continue
        if name is None:
            label = f"'{header}'" if header else f"column {index + 1} (no header)"
            hint = did_you_mean(header, known) if header else ""
            if hint:
                hint = f"{hint[:-1]} = {known[hint.split(chr(39))[1]]}?"
            unknown.append(f"{label}{f' ({hint})' if hint else ''}")
        fields.append(name)
    if unknown:
        raise FileRefused(
            f"unknown column(s) {', '.join(unknown)} for {fact_type}: rename the column, map it in a site "
            "mapping file (columns:), or list it under ignore:",
            Reason.UNKNOWN_COLUMN,
        )
    given = [f for f in fields if f is not None]
    twice = sorted({f for f in given if given.count(f) > 1})
    if twice:
        raise FileRefused(
            f"two columns give the same field: {', '.join(twice)}; keep one or map one elsewhere", Reason.UNKNOWN_COLUMN
        )
    model = FACT_MODELS[fact_type]
    missing = [n for n, info in model.model_fields.items() if info.is_required() and n not in given]
    if missing:
        named = ", ".join(f"{n} ({(meaning(fact_type, n) or (n,))[0]})" for n in missing)
        raise FileRefused(
            f"missing required column(s) {named}: every record of {fact_type} needs them", Reason.MISSING_COLUMN
        )
    return fields


def _empty_column(table: RawTable, header: str) -> bool:
    return all(not (value or "").strip() for value in table.column(header))


def _date_exprs(name: str, *, forms: bool) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """(the parse, then what follows from it) for a date column of text, two steps so each is computed once.

    They leave ``__date__<name>`` (the date, null unless read and within 1900-2200), ``__month__<name>``
    (given to the month only) and ``__bad__<name>`` (given, and not a date). ``forms=False`` reads ISO
    dates only (the common case, a fraction of the cost); the scan falls back to every form for a chunk
    where that leaves a bad date.
    """
    s = pl.col(name).str.strip_chars()
    if forms:
        parsed, month_only = _every_form(s)
    else:
        iso_text = s.str.contains(r"^\d{4}-\d{2}-\d{2}$")
        parsed, month_only = pl.when(iso_text).then(s.str.to_date("%Y-%m-%d", strict=False)), pl.lit(False)
    day, month = pl.col(f"{DATE}{name}"), pl.col(f"{MONTH}{name}")
    # an HR system's "no date" (9999-12-31: still in post) is read as no date, not as a bad one
    still_open = day.is_in(settings().open_dates).fill_null(False)
    ok = (day.dt.year().is_between(1900, 2200) & ~still_open).fill_null(False)
    return [parsed.alias(f"{DATE}{name}"), month_only.alias(f"{MONTH}{name}")], [
        pl.when(ok).then(day).alias(f"{DATE}{name}"),
        (ok & month).fill_null(False).alias(f"{MONTH}{name}"),
        (s.is_not_null() & (s != "") & ~ok & ~still_open).alias(f"{BAD}{name}"),
    ]


def _every_form(s: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the date, whether it was given to the month only) in every form the module docstring lists."""
    full = s.str.extract_groups(
        r"^(?<y>\d{4})[-/.年](?<m>\d{1,2})[-/.月](?<d>\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
    )
    packed = s.str.extract_groups(r"^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$")
    month = s.str.extract_groups(r"^(?<y>\d{4})[-/.年](?<m>\d{1,2})月?$")
    packed_month = s.str.extract_groups(r"^(?<y>\d{4})(?<m>\d{2})$")
    forms = (full, packed, month, packed_month)
    y = pl.coalesce(*(f.struct.field("y") for f in forms))
    m = pl.coalesce(*(f.struct.field("m") for f in forms))
    d = pl.coalesce(full.struct.field("d"), packed.struct.field("d"), pl.lit("1"))
    from_parts = pl.format("{}-{}-{}", y, m.str.zfill(2), d.str.zfill(2)).str.to_date("%Y-%m-%d", strict=False)
    serial = s.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64)
    parsed = pl.coalesce(from_parts, pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial))
    return parsed, month.struct.field("y").is_not_null() | packed_month.struct.field("y").is_not_null()


def normalise_table(
    table: RawTable, fact_type: str, mapping: SiteMapping, *, by_column: bool = True
) -> Iterator[Record | TypedRows]:
    """Header, codes and dates for every readable row; per-row problems say what was wrong, not the value.

    The header is checked at once (FileRefused); rows are then normalised ``CHUNK`` at a time and taken
    off the table as they go (the table is consumed), so a large file holds at most one chunk as dicts.
    An empty file (not even a header) has no records: the input check sees the type as empty.
    Each chunk comes first as the typed rows the column checks were sure of (typed.py), then as the
    records they doubted; ``by_column=False`` leaves every record to its pydantic model.
    """
    if not table.header and not table.size:
        return iter(())
    fields = resolve_header(table, fact_type, mapping)
    return _normalised(table, fact_type, mapping, fields, by_column)


def _normalised(
    table: RawTable, fact_type: str, mapping: SiteMapping, fields: list[str | None], by_column: bool
) -> Iterator[Record | TypedRows]:
    used = [(i, f) for i, f in enumerate(fields) if f is not None]
    exprs, then, dates = _column_exprs(fact_type, mapping, [f for _, f in used])
    names = [f or f"__ignored_{i}" for i, f in enumerate(fields)]
    plain = [name for _, name in used if name not in dates]
    absent = _defaulted(fact_type) & set(plain)  # a null there means "not given": the model's default applies
    typed = typed_columns(fact_type, tuple(name for _, name in used), frozenset(dates))
    key_column = column_of(table, fact_type, mapping, FACT_MODELS[fact_type].key_field)
    checks = _Checks(fact_type, exprs, then, dates, typed, by_column, names)
    for chunk in in_order(checks, _chunks(table, names)):
        yield TypedRows(fact_type, chunk.sure, typed.make, table.name, key_column, chunk.size)
        if chunk.doubted is None:
            continue
        # a doubted row is validated by its model, for the exact message
        frame, doubted = chunk.doubted
        iso = [pl.col(f"{DATE}{name}").dt.to_string("%Y-%m-%d").alias(name) for name in dates]
        texts = frame.with_columns(chunk.lines.alias(LINE)).filter(doubted).select(*plain, *iso, LINE).to_dicts()
        positions = doubted.arg_true().to_list()
        records: dict[int, Record] = {}
        for position, values in zip(positions, texts, strict=True):
            line = values.pop(LINE)
            for name in absent:
                if values[name] is None:
                    del values[name]
            records[position] = Record(line, values, position=position)
        for name in dates:
            for position in _rows_where(frame, f"{MONTH}{name}"):  # month-only and bad dates are rare
                if position in records:
                    records[position].month_only |= {name}
            for position in _rows_where(frame, f"{BAD}{name}"):
                records[position].problems.append((name, f"not a date in a known form ({DATE_FORMS})"))
        yield from records.values()


@dataclass
class _Checked:
    """One chunk after the column checks: its size, the typed rows they were sure of, and, where they
    doubted some rows, the chunk's rows as read (dates parsed) and which rows they doubted."""

    lines: pl.Expr
    size: int
    sure: pl.DataFrame
    doubted: tuple[pl.DataFrame, pl.Series] | None


@dataclass(frozen=True)
class _Checks:
    """The column work on one chunk of a file's text: a pure function of the chunk, so chunks can be
    checked side by side (``in_order``) while the next is read."""

    fact_type: str
    exprs: list[pl.Expr]
    then: list[pl.Expr]
    dates: list[str]
    typed: TypedColumns
    by_column: bool
    names: list[str]  # of the file's columns, in order

    def __call__(self, chunk: tuple[pl.Expr, pl.DataFrame | LineBlock]) -> _Checked:
        lines, text = chunk
        frame = text.split() if isinstance(text, LineBlock) else text
        frame.columns = self.names
        frame = frame.with_columns(self.exprs).with_columns(self.then)
        other_forms = [name for name in self.dates if frame.get_column(f"{BAD}{name}").any()]
        for name in other_forms:
            parse, follow = _date_exprs(name, forms=True)
            frame = frame.with_columns(parse).with_columns(follow)
        bad_dates = [pl.col(f"{BAD}{name}") for name in self.dates]
        doubt = pl.any_horizontal(self.typed.doubt, *bad_dates) if self.by_column else pl.repeat(True, pl.len())
        months = [pl.when(pl.col(f"{MONTH}{name}")).then(pl.lit(name)) for name in self.dates]
        month_only = pl.concat_list(months).list.drop_nulls() if months else pl.lit(None, dtype=pl.List(pl.String))
        checked = frame.select(
            *self.typed.exprs,
            doubt.alias(DOUBT),
            month_only.alias(MONTH_ONLY),
            lines.alias(LINE),
            pl.int_range(pl.len(), dtype=pl.Int64).alias(POSITION),
        )
        doubted = checked.get_column(DOUBT)
        sure = completed(with_tokens(checked.filter(~doubted).drop(DOUBT), self.fact_type), self.fact_type)
        return _Checked(lines, frame.height, sure, (frame, doubted) if doubted.any() else None)


def _chunks(table: RawTable, names: list[str]) -> Iterator[tuple[pl.Expr, pl.DataFrame | LineBlock]]:
    """(the rows' line numbers, their text: a frame, or lines not yet split) ``CHUNK`` rows at a time, taken
    off the table as they go."""
    block, table.block = table.block, None
    if isinstance(block, LineStream):
        for numbers, lines in block.blocks():
            for offset in range(0, lines.height, CHUNK):
                yield pl.lit(numbers.slice(offset, CHUNK)), LineBlock(lines.lines.slice(offset, CHUNK), lines.width)
    elif block is not None:
        for offset in range(0, block.height, CHUNK):
            yield (
                pl.int_range(offset + 2, offset + 2 + pl.len(), dtype=pl.Int64),
                LineBlock(block.lines.slice(offset, CHUNK), block.width),
            )
    while table.rows:
        rows = table.rows[:CHUNK]
        del table.rows[:CHUNK]
        frame = pl.DataFrame([cells for _, cells in rows], schema=[(n, pl.String) for n in names], orient="row")
        yield pl.lit(pl.Series([line for line, _ in rows], dtype=pl.Int64)), frame


def _column_exprs(
    fact_type: str, mapping: SiteMapping, used: list[str]
) -> tuple[list[pl.Expr], list[pl.Expr], list[str]]:
    """(one expression per field: empty cells to null, value codes, yes/no, list splitting, dates parsed;
    what follows from the dates parsed; the date fields)."""
    spec = FACT_SPECS[fact_type]
    exprs: list[pl.Expr] = []
    then: list[pl.Expr] = []
    dates: list[str] = []
    for name in used:
        kind = spec.fields[name].kind
        text = pl.col(name).str.strip_chars()
        column: pl.Expr = pl.when(text != "").then(text)  # an empty cell is an empty field
        codes = mapping.value_map(fact_type, name)
        if codes:
            column = column.replace(dict(codes))
            column = pl.when(column != "").then(column)  # a code mapped to "" (unknown) is empty
        if kind == "bool":
            column = column.replace(YES_NO)
        if kind == "list":
            column = (
                column.str.replace_all("|", ";", literal=True)
                .str.split(";")
                .list.eval(pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != ""))
            )
        if kind == "date":
            dates.append(name)
            parse, follow = _date_exprs(name, forms=False)
            exprs += parse
            then += follow
            continue
        exprs.append(column.alias(name))
    return exprs, then, dates


@cache
def _defaulted(fact_type: str) -> frozenset[str]:
    """Fields that have a default and do not take None: a null cell must leave them out."""
    spec = FACT_SPECS[fact_type]
    model = FACT_MODELS[fact_type]
    return frozenset(
        name for name, info in model.model_fields.items() if not info.is_required() and not spec.fields[name].nullable
    )


def _rows_where(frame: pl.DataFrame, flag: str) -> list[int]:
    return frame.select(pl.arg_where(pl.col(flag))).to_series().to_list()


def column_of(table: RawTable, fact_type: str, mapping: SiteMapping, name: str) -> int:
    """The 1-based column that holds a field in the file (0 when unknown), for locating a problem."""
    known = header_names(fact_type)
    for index, header in enumerate(table.header):
        if (mapping.column(fact_type, header) or known.get(header) or known.get(header.lower())) == name:
            return index + 1
    return 0
