"""A spilled load split into buckets of subjects, each a load of its own, so a scan holds one bucket at a time.

A subject's bucket is a hash of its id. A record goes to the bucket of every subject whose partition it is
in as its own, through a key or linked (``plan.membership.direct_members``): an appointment to the bucket
of its cadre and to that of the post's unit, a relative to its cadre's and its cadre's unit's, a bid to
the bucket of every cadre with a relative at the bidder. The keys read through (a cadre's unit, a post's
unit) and the links' holders (each relative's employer) come from the whole load, once. Reference types (posts, units,
enterprises, agency staff: what a record points to) go whole to every bucket, so a fact attached to a
partition is found in it whatever bucket the record pointing at it is in. So each subject of a bucket
has, in its bucket, exactly the partition it has in the whole load (``tests/sources/test_buckets.py``);
facts of the bucket's other subjects are there too, and the caller keeps to ``in_bucket``.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from risk_warning.facts._base import Fact
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.plan.membership import (
    SUBJECT,
    direct_members,
    link_columns,
    link_keys,
    reference_keys,
    through_keys,
    through_targets,
)
from risk_warning.sources.base import SEQ, FactTable, LoadResult, object_frames
from risk_warning.sources.pipeline import in_order

BUCKET = "__bucket__"
FLUSH_ROWS = 25_000  # a bucket's rows of one file are written in files of about this many rows, at most
BUFFER_ROWS = 200_000  # rows gathered over every bucket before they are written: memory does not grow with buckets
_SEED = 20260630  # any fixed number: the same subject falls in the same bucket throughout a scan


def bucket_of(subject: pl.Expr, count: int) -> pl.Expr:
    """The bucket of each subject id (0 .. count - 1)."""
    return (subject.hash(_SEED) % count).cast(pl.Int32)


def in_bucket(frame: pl.DataFrame, bucket: int, count: int) -> pl.DataFrame:
    """The rows of a membership frame whose subject is in the bucket."""
    return frame.filter(bucket_of(pl.col(SUBJECT), count) == bucket)


def reference_types() -> frozenset[str]:
    """The types records point to (``references``): whole in every bucket."""
    return frozenset(t for model in FACT_MODELS.values() for t in model.references.values())


class Buckets:
    """``count`` loads, one per bucket of subjects, written beside the spilled load they are split from.

    ``keyed``, ``linkers`` and ``pointed`` are what ``plan.membership.members`` is given for a bucket
    (``through_keys`` and ``link_keys`` of the whole load, ``reference_keys`` of the reference types).
    Iterating gives each bucket's load in turn; only the one in hand is read into memory.
    """

    def __init__(self, loaded: LoadResult, count: int) -> None:
        assert loaded.spill is not None, "only a spilled load is split into buckets"
        self.count = count
        self.loaded = loaded
        self.flush_rows = max(1, min(FLUSH_ROWS, BUFFER_ROWS // count))
        targets = {t: [FACT_MODELS[t].key_field] for t, _ in through_targets()}
        for target_type, field in through_targets():
            targets[target_type].append(field)
        self.keyed = through_keys(loaded.frames({t: sorted(set(c)) for t, c in targets.items()}))
        self.linkers = link_keys(loaded.frames(link_columns()), self.keyed)
        self._tables: list[list[FactTable]] = [[] for _ in range(count)]
        self._objects: list[list[tuple[int, Fact]]] = [[] for _ in range(count)]
        self._whole: list[FactTable] = []  # the reference tables, read once: in every bucket
        self._split()
        references = LoadResult()
        references.tables = self._whole
        references.objects = [pair for pair in loaded.objects if pair[1].fact_type in reference_types()]
        self.pointed = reference_keys(references.frames({t: [FACT_MODELS[t].key_field] for t in reference_types()}))

    def _split(self) -> None:
        whole = reference_types()
        pending: list[FactTable] = []  # the chunks of one file whose rows are being gathered by bucket
        parts: list[list[pl.DataFrame]] = [[] for _ in range(self.count)]
        split = [table for table in self.loaded.tables if table.fact_type not in whole]
        for table in self.loaded.tables:
            if table.fact_type in whole:  # read once, kept in memory: every bucket reads them
                kept = table.like(table.frame)
                self._whole.append(kept)
                for tables in self._tables:
                    tables.append(kept)
        # each table read and split in a thread while the parts of the one before are gathered and written
        for table, table_parts in zip(split, in_order(self._parts_of, split), strict=True):
            if pending and (table.name, table.fact_type) != (pending[0].name, pending[0].fact_type):
                self._flush(pending, parts)
            pending.append(table)
            for bucket, part in table_parts:
                parts[bucket].append(part)
                if sum(p.height for p in parts[bucket]) >= self.flush_rows:
                    self._write(pending[0], bucket, parts[bucket])
        self._flush(pending, parts)
        facts = dict(self.loaded.objects)
        for fact_type, frame in object_frames(self.loaded.objects).items():
            if fact_type in whole:
                for bucket in range(self.count):
                    self._objects[bucket] += [(seq, facts[seq]) for seq in frame.get_column(SEQ).to_list()]
                continue
            for bucket, part in self._parts(fact_type, frame):
                self._objects[bucket] += [(seq, facts[seq]) for seq in part.get_column(SEQ).to_list()]
        for objects in self._objects:
            objects.sort(key=lambda pair: pair[0])

    def _write(self, table: FactTable, bucket: int, parts: list[pl.DataFrame]) -> None:
        """A bucket's rows gathered from some chunks of one file, as one file of the bucket."""
        spill = self.loaded.spill
        assert spill is not None
        self._tables[bucket].append(table.like(*spill.write(pl.concat(parts), f"bucket-{bucket}")))
        parts.clear()

    def _flush(self, pending: list[FactTable], parts: list[list[pl.DataFrame]]) -> None:
        for bucket, found in enumerate(parts):
            if found:
                self._write(pending[0], bucket, found)
        pending.clear()

    def _parts_of(self, table: FactTable) -> list[tuple[int, pl.DataFrame]]:
        return list(self._parts(table.fact_type, table.frame))

    def _parts(self, fact_type: str, frame: pl.DataFrame) -> Iterator[tuple[int, pl.DataFrame]]:
        """(bucket, the rows in it, in load order) for each bucket some row of the frame is in."""
        direct = direct_members(fact_type, frame, self.keyed, self.linkers)
        assigned = direct.select(SEQ, bucket_of(pl.col(SUBJECT), self.count).alias(BUCKET)).unique()
        rows = frame.join(assigned, on=SEQ, maintain_order="left")
        for (bucket,), part in rows.partition_by(BUCKET, as_dict=True, maintain_order=True).items():
            yield int(bucket), part.drop(BUCKET)

    def __iter__(self) -> Iterator[LoadResult]:
        for bucket in range(self.count):
            part = LoadResult(quarantined=self.loaded.quarantined)
            part.objects = self._objects[bucket]
            part.tables = [t.like(t.frame) for t in self._tables[bucket]]  # each file read once, in memory
            yield part
