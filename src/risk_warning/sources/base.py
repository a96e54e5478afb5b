"""What a source gives: typed facts, the records it had to quarantine (each with a reason), and an
account of every file it read: records read = accepted + quarantined, or the whole file refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from risk_warning.errors import QuarantinedRecord as QuarantinedRecord  # moved to errors; kept here for imports
from risk_warning.facts._base import Fact, Pii
from risk_warning.facts.personnel import Cadre
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS
from risk_warning.facts.schema import model_schema
from risk_warning.sources.spill import SpillDir, write_ipc


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


SEQ = "__seq__"  # a record's place among every record a load accepted: the order of ``LoadResult.facts``
MONTH_ONLY = "__month_only__"  # the dates a record gave to the month only (a list of field names)
LINE = "__line__"  # the record's line (row) in its file
POSITION = "__position__"  # the record's place in its chunk
_BOOKKEEPING = (SEQ, MONTH_ONLY, LINE)


class FactTable:
    """Records of one fact type accepted by column (sources/typed.py): typed values, not yet facts.

    ``frame`` has a column per model field (defaults filled), ``SEQ`` and ``MONTH_ONLY``; ``make`` turns
    one row (a dict of the model's fields) into its fact. A spilled load (sources/spill.py) keeps the rows
    in an Arrow IPC file instead of memory (``stored`` is its path): ``frame`` reads the file on each
    reading, and setting ``frame`` writes the file anew.
    """

    def __init__(
        self,
        fact_type: str,
        frame: pl.DataFrame | Path,
        make: Callable[[dict[str, Any]], Fact],
        name: str = "",  # the table (file, or file#sheet) the rows came from
        key_column: int = 0,
        report: FileReport | None = None,
        written: Future[None] | None = None,  # a spilled table's file is whole once this is done
    ) -> None:
        self.fact_type = fact_type
        self._stored = frame
        self._written = written
        self.make = make
        self.name = name
        self.key_column = key_column
        self.report = report

    @property
    def stored(self) -> pl.DataFrame | Path:
        """The rows, or the file that holds them (once it is whole)."""
        if self._written is not None:
            self._written.result()
            self._written = None
        return self._stored

    @stored.setter
    def stored(self, stored: pl.DataFrame | Path) -> None:
        self._stored, self._written = stored, None

    @property
    def frame(self) -> pl.DataFrame:
        if isinstance(self.stored, pl.DataFrame):
            return self.stored
        return pl.read_ipc(self.stored)

    @frame.setter
    def frame(self, frame: pl.DataFrame) -> None:
        if isinstance(self.stored, pl.DataFrame):
            self.stored = frame
        else:
            write_ipc(frame, self.stored)

    def columns(self, *names: str) -> pl.DataFrame:
        """Some columns of the rows (only these are read from a spilled table's file)."""
        if isinstance(self.stored, pl.DataFrame):
            return self.stored.select(names)
        return pl.read_ipc(self.stored, columns=list(names))

    @property
    def height(self) -> int:
        if isinstance(self.stored, pl.DataFrame):
            return self.stored.height
        return int(pl.scan_ipc(self.stored).select(pl.len()).collect().item())

    def like(self, frame: pl.DataFrame | Path, written: Future[None] | None = None) -> FactTable:
        """The same table with other rows (in a file that is whole once ``written`` is done)."""
        return FactTable(self.fact_type, frame, self.make, self.name, self.key_column, self.report, written)

    def facts(self) -> Iterator[tuple[int, Fact]]:
        frame = self.frame
        names = [c for c in frame.columns if c not in _BOOKKEEPING]
        for row in frame.select(*names, SEQ, MONTH_ONLY).iter_rows():
            fact = self.make(dict(zip(names, row[:-2], strict=True)))
            if row[-1]:
                fact.mark_month_only(frozenset(row[-1]))
            yield row[-2], fact


Origin = tuple[FileReport, str, int, int]  # (its file's report, table, line, column of the key field)


class TypedRows:
    """One chunk of a file's rows the column checks were sure of (columns.py), every one accepted.

    ``frame`` has the typed fields, ``MONTH_ONLY``, ``LINE`` and ``POSITION`` (the row's place in the
    chunk, doubted rows counted: a record's ``SEQ`` is the chunk's ``base`` plus its position).
    """

    def __init__(
        self,
        fact_type: str,
        frame: pl.DataFrame,
        make: Callable[[dict[str, Any]], Fact],
        name: str,
        key_column: int,
        size: int,
    ) -> None:
        self.fact_type = fact_type
        self.frame = frame
        self.make = make
        self.name = name
        self.key_column = key_column
        self.size = size  # rows in the chunk, doubted ones included
        self.base = 0
        self.report: FileReport | None = None

    def table(self) -> FactTable:
        frame = self.frame.with_columns((pl.col(POSITION) + self.base).alias(SEQ)).drop(POSITION)
        return FactTable(self.fact_type, frame, self.make, self.name, self.key_column, self.report)


class LoadResult:
    """The facts of a load, the records it quarantined and the account of every file it read.

    A large export's records stay in ``tables`` (typed columns) until ``facts`` is first read, which
    makes every one of them a fact; the scan reads ``objects`` and ``tables`` instead and makes facts only
    of the subjects it evaluates (plan/membership.py).
    """

    def __init__(
        self,
        facts: list[Fact] | None = None,
        quarantined: list[QuarantinedRecord] | None = None,
        files: list[FileReport] | None = None,
        *,
        spill: SpillDir | None = None,
    ) -> None:
        self.spill = spill  # where the tables' rows are kept, when not in memory (sources/spill.py)
        self.input_bytes = 0  # the size of the files read
        self.objects: list[tuple[int, Fact]] = list(enumerate(facts or []))
        self.tables: list[FactTable] = []
        self.pending: list[TypedRows] = []  # chunks still being accepted: tables once ``seal`` is called
        self.origins: dict[int, Origin] = {}  # where each of ``objects`` read from a file came from
        self.quarantined: list[QuarantinedRecord] = quarantined or []
        self.files: list[FileReport] = files or []
        self._next = len(self.objects)
        # ID number -> cadre id, gathered as cadre records are accepted, for this load's forms (lrmx.py) alone:
        # in memory for the load, never written (None: not wanted)
        self.identities: dict[str, str] | None = None
        self.objects = [(seq, self._forget(fact)) for seq, fact in self.objects]

    def reserve(self, count: int) -> int:
        """Places for ``count`` records in load order; the first of them."""
        self._next += count
        return self._next - count

    def add(self, fact: Fact, seq: int | None = None, origin: Origin | None = None) -> None:
        seq = self.reserve(1) if seq is None else seq
        self.objects.append((seq, self._forget(fact)))
        if origin is not None:
            self.origins[seq] = origin

    def take(self, rows: TypedRows) -> None:
        """Accept a chunk of typed rows; they become a table at ``seal``."""
        rows.frame = self._forget_columns(rows.fact_type, rows.frame)
        rows.base = self.reserve(rows.size)
        self.pending.append(rows)
        if self.spill is not None and not rows.frame.is_empty():
            table = rows.table()
            self.tables.append(table.like(*self.spill.write(table.frame, "tables")))
            rows.frame = rows.frame.clear()  # its place (base) is still wanted for the doubted rows that follow

    def _forget(self, fact: Fact) -> Fact:
        """The fact without its ``Pii.HIGH`` values (their tokens were made when it was validated)."""
        given = [name for name in identifier_fields(fact.fact_type) if getattr(fact, name) is not None]
        if not given:
            return fact
        if self.identities is not None and isinstance(fact, Cadre) and fact.id_card_no:
            self.identities[fact.id_card_no] = fact.cadre_id
        return fact.model_copy(update=dict.fromkeys(given))

    def _forget_columns(self, fact_type: str, frame: pl.DataFrame) -> pl.DataFrame:
        """``_forget`` for a chunk of typed rows: the ``Pii.HIGH`` columns emptied."""
        high = [name for name in identifier_fields(fact_type) if name in frame.columns]
        if not high:
            return frame
        if self.identities is not None and fact_type == "cadre":
            pairs = frame.select("id_card_no", "cadre_id").drop_nulls()
            self.identities.update(pairs.iter_rows())
        return frame.with_columns(pl.lit(None, dtype=frame.schema[name]).alias(name) for name in high)

    def seal(self) -> None:
        """The chunks' rows become tables, objects are put in load order (once every record is read)."""
        self.tables += [rows.table() for rows in self.pending if not rows.frame.is_empty()]
        self.pending = []
        self.objects.sort(key=lambda pair: pair[0])

    @property
    def facts(self) -> list[Fact]:
        """Every accepted fact, in the order the records were accepted (tables made into facts once)."""
        if self.tables:
            everything = self.objects + [pair for table in self.tables for pair in table.facts()]
            everything.sort(key=lambda pair: pair[0])
            self.objects, self.tables = everything, []
        return [fact for _, fact in self.objects]

    @facts.setter
    def facts(self, facts: list[Fact]) -> None:
        self.objects, self.tables = list(enumerate(facts)), []
        self._next = len(facts)

    def values(self, fact_type: str, *fields: str) -> list[tuple[Any, ...]]:
        """Some fields of every accepted record of a type, in the order accepted, without making facts."""
        rows = [(seq, *(getattr(f, n) for n in fields)) for seq, f in self.objects if f.fact_type == fact_type]
        for table in self.tables:
            if table.fact_type == fact_type:
                rows += table.frame.select(SEQ, *fields).rows()
        rows.sort(key=lambda row: row[0])
        return [row[1:] for row in rows]

    def frames(self, only: Mapping[str, Sequence[str]] | None = None) -> dict[str, pl.DataFrame]:
        """Every accepted record as a row of its type's frame (``facts.schema.model_schema`` and ``SEQ``);
        ``only`` some types, each with some of its columns (and ``SEQ``)."""
        parts: dict[str, list[pl.DataFrame]] = {}
        for fact_type, frame in object_frames(self.objects).items():
            parts.setdefault(fact_type, []).append(frame)
        for table in self.tables:
            if only is None:
                parts.setdefault(table.fact_type, []).append(table.frame.drop(MONTH_ONLY, LINE))
            elif table.fact_type in only:  # only these columns are read from a spilled table's file
                parts.setdefault(table.fact_type, []).append(table.columns(SEQ, *only[table.fact_type]))
        if only is not None:
            parts = {t: [f.select(SEQ, *only[t]) for f in found] for t, found in parts.items() if t in only}
        return {t: in_load_order(pl.concat(found, rechunk=False)) for t, found in parts.items()}

    def pieces(self, columns: Callable[[str], Sequence[str]]) -> Iterator[tuple[str, pl.DataFrame]]:
        """(fact type, frame of ``SEQ`` and the type's ``columns``) for each table and for the objects of each
        type: ``frames()`` unjoined, so a spilled load is read a table at a time, and only those columns."""
        for fact_type, frame in object_frames(self.objects).items():
            yield fact_type, frame.select(SEQ, *columns(fact_type))
        for table in self.tables:
            yield table.fact_type, table.columns(SEQ, *columns(table.fact_type))

    def facts_of(self, seqs: pl.Series) -> list[Fact]:
        """The facts of some accepted records (by ``SEQ``), in the order accepted."""
        return [fact for _, fact in self.pairs_of(seqs)]

    def pairs_of(self, seqs: pl.Series) -> list[tuple[int, Fact]]:
        """(SEQ, fact) of some accepted records, in the order accepted."""
        wanted = set(seqs.to_list())
        found = [(seq, f) for seq, f in self.objects if seq in wanted]
        for table in self.tables:
            rows = table.frame.filter(pl.col(SEQ).is_in(seqs.implode()))
            if not rows.is_empty():
                found += FactTable(table.fact_type, rows, table.make).facts()
        found.sort(key=lambda pair: pair[0])
        return found

    def count(self) -> Counter[str]:
        """Accepted records per fact type, without making facts of the tables."""
        counts = Counter(f.fact_type for _, f in self.objects)
        for table in self.tables:
            counts[table.fact_type] += table.height
        return counts

    def extend(self, other: LoadResult) -> None:
        offset = self._next
        self.objects.extend((offset + i, f) for i, f in other.objects)
        self.tables.extend(t.like(t.frame.with_columns(pl.col(SEQ) + offset)) for t in other.tables)
        self._next += other._next
        self.quarantined.extend(other.quarantined)
        self.files.extend(other.files)

    def close(self) -> None:
        """Remove the rows a spilled load keeps on disk; its tables cannot be read after."""
        if self.spill is not None:
            self.spill.close()

    @property
    def refused_types(self) -> set[str]:
        """Fact types with a refused file: incomplete tonight, so treated as missing."""
        return {f.fact_type for f in self.files if f.refused}


@cache
def identifier_fields(fact_type: str) -> tuple[str, ...]:
    """The fields of a type marked ``Pii.HIGH`` (身份证号, phone, document numbers, accounts, addresses): a
    load keeps them only until the record is validated and its tokens made, so they are never in a load's
    tables, its spilled files or its facts."""
    model = FACT_MODELS[fact_type]
    return tuple(name for name in model.model_fields if model.pii_level(name) is Pii.HIGH)


def object_frames(objects: Sequence[tuple[int, Fact]]) -> dict[str, pl.DataFrame]:
    """Facts (with their ``SEQ``) as a frame per type, as ``LoadResult.frames`` gives a table's rows."""
    loose: dict[str, list[dict[str, Any]]] = {}
    for seq, fact in objects:
        loose.setdefault(fact.fact_type, []).append({**fact.__dict__, SEQ: seq})
    out = {}
    for fact_type, rows in loose.items():
        schema: dict[str, Any] = {**model_schema(FACT_SPECS[fact_type]), SEQ: pl.Int64}
        out[fact_type] = pl.DataFrame(rows, schema=schema, orient="row")
    return out


def in_load_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Sorted by ``SEQ``; a frame in load order already (a type read from files alone) is not copied."""
    return frame if frame.get_column(SEQ).is_sorted() else frame.sort(SEQ)


class Source(Protocol):
    """Anything that yields facts: a directory of files, memory, a database."""

    name: str

    def load(self) -> LoadResult: ...

    def __iter__(self) -> Iterator[Fact]: ...
