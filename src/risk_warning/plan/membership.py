"""Which facts are in which subject's partition, as frames: ``partition_facts`` for a whole export at once.

The input is one frame per fact type, a row per accepted record, with every model field and ``SEQ`` (the
record's place in the load). The answer, per fact type, is a frame of (``SUBJECT``, ``SEQ``, ``ORDER``,
``ROLE``): a fact is in a subject's partition as its own (a subject field, or a partition field), as
read through a foreign key (``fk>type.field``: an appointment is in its post's unit), linked through
another of its facts (``Fact.links``: a bid, by a relative at the bidder), or attached as a reference (a
post, its unit) that one of the subject's facts points to, two steps at most. ``ORDER`` is the fact's
place in the partition ``partition_facts`` builds: its own facts in load order, then those read through
a key, then the linked ones in load order, then the attached ones by key. ``tests/plan/test_membership.py``
holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from risk_warning.facts._base import SUBJECT_KINDS
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS
from risk_warning.plan.links import link_order, link_through_targets

SUBJECT = "__subject__"
SEQ = "__seq__"
ORDER = "__order__"
ROLE = "__role__"  # "own", "through" (a foreign key), "linked" (``Fact.links``) or "attached" (a reference)
_THROUGH = 1 << 40  # after every own fact
_LINKED = 3 << 39  # after every fact read through a key
_ATTACHED = 1 << 41  # after every linked fact

Frames = Mapping[str, pl.DataFrame]


def _as_text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String)


def _subject(kind: str, value: pl.Expr) -> pl.Expr:
    return value if kind == "cadre" else pl.format(f"{kind}:{{}}", value)


def own_fields(fact_type: str) -> list[str]:
    """The fields ``own_members`` reads."""
    model = FACT_MODELS[fact_type]
    return [*model.subject_fields, *(w for w in model.partitions.values() if ">" not in w)]


def own_members(fact_type: str, frame: pl.DataFrame) -> pl.DataFrame:
    """(subject, seq) for the subjects a type's facts name directly (``Fact.subject_ids``), in field order."""
    model = FACT_MODELS[fact_type]
    spec = FACT_SPECS[fact_type]
    parts = []
    for name in model.subject_fields:
        if spec.fields[name].kind == "list":
            exploded = frame.select(pl.col(name).alias(SUBJECT), SEQ).explode(SUBJECT)
            parts.append(exploded.select(_as_text(SUBJECT), SEQ))
        else:
            parts.append(frame.select(_as_text(name).alias(SUBJECT), SEQ))
    for kind, where in model.partitions.items():
        if ">" not in where:
            parts.append(frame.select(_subject(kind, _as_text(where)).alias(SUBJECT), SEQ))
    if not parts:
        return pl.DataFrame(schema={SUBJECT: pl.String, SEQ: pl.Int64})
    return pl.concat(parts).filter(pl.col(SUBJECT).is_not_null())


def _keyed(frames: Frames, fact_type: str, *columns: pl.Expr) -> pl.DataFrame | None:
    """A type's facts by key (as text; the last with a key, as ``partition_facts``'s index keeps it)."""
    frame = frames.get(fact_type)
    if frame is None:
        return None
    key = FACT_MODELS[fact_type].key_field
    keyed = frame.select(SEQ, _as_text(key).alias("__key__"), *columns)  # the columns wanted, then sorted
    if not keyed.get_column(SEQ).is_sorted():
        keyed = keyed.sort(SEQ)
    return keyed.drop(SEQ).unique("__key__", keep="last", maintain_order=True)


def members(
    frames: Frames,
    keyed: Frames | None = None,
    *,
    only: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    pointed: Frames | None = None,
    linkers: Linkers | None = None,
) -> dict[str, pl.DataFrame]:
    """Per fact type, (SUBJECT, SEQ, ORDER, ROLE) for every partition each fact is in.

    When ``frames`` hold only part of a load (a bucket of subjects): ``keyed`` is ``through_keys`` of the
    whole load (a cadre's unit is read from the cadre's record, which may be in another bucket),
    ``only`` keeps the membership rows of the subjects wanted, ``pointed`` is ``reference_keys`` of
    the reference types, made once for every part, and ``linkers`` is ``link_keys`` of the whole load.
    """
    keyed = through_keys(frames) if keyed is None else keyed
    linkers = link_keys(frames, keyed) if linkers is None else linkers
    direct: dict[str, pl.DataFrame] = {}
    for fact_type, frame in frames.items():
        mine = direct_members(fact_type, frame, keyed, linkers)
        direct[fact_type] = only(mine) if only is not None else mine
    attached = _attached(direct, frames, pointed or {})
    out = {}
    for fact_type in frames:
        found = [direct[fact_type], *(a for t, a in attached if t == fact_type)]
        out[fact_type] = pl.concat(found)
    return out


def direct_members(fact_type: str, frame: pl.DataFrame, keyed: Frames, linkers: Linkers | None = None) -> pl.DataFrame:
    """(SUBJECT, SEQ, ORDER, ROLE) for a type's facts in partitions of their own, read through a key, or
    linked (when ``linkers`` are given)."""
    own = own_members(fact_type, frame).with_columns(pl.col(SEQ).alias(ORDER), pl.lit("own").alias(ROLE))
    through = _through(fact_type, frame, keyed)
    linked = linked_members(fact_type, frame, keyed, linkers) if linkers is not None else None
    return pl.concat([p for p in (own, through, linked) if p is not None])


# Per link (its place in ``link_order``): (``__value__``, SUBJECT), the subjects whose partitions hold a
# holder fact with that value, over the whole load.
Linkers = Mapping[int, pl.DataFrame]


def _of_kind(kind: str) -> pl.Expr:
    others = "|".join(k for k in SUBJECT_KINDS if k != "cadre")
    prefixed = pl.col(SUBJECT).str.contains(f"^({others}):")
    return ~prefixed if kind == "cadre" else pl.col(SUBJECT).str.starts_with(f"{kind}:")


def _field_values(frame: pl.DataFrame, field: str, keyed: Frames) -> pl.DataFrame:
    """(SEQ, ``__value__``): a field's values as text, a list's items one per row, or ``fk>type.field``'s."""
    fk, _, through = field.partition(">")
    if through:
        pointed = keyed.get(through)
        if pointed is None:
            return pl.DataFrame(schema={SEQ: pl.Int64, "__value__": pl.String})
        rows = frame.select(SEQ, _as_text(fk).alias("__key__")).join(pointed, on="__key__", how="inner")
        rows = rows.select(SEQ, pl.col("__derived__").alias("__value__"))
    elif frame.schema[fk] == pl.List:
        rows = frame.select(SEQ, pl.col(fk).alias("__value__")).explode("__value__")
        rows = rows.with_columns(_as_text("__value__"))
    else:
        rows = frame.select(SEQ, _as_text(fk).alias("__value__"))
    return rows.filter(pl.col("__value__").is_not_null())


def link_keys(frames: Frames, keyed: Frames) -> dict[int, pl.DataFrame]:
    """``Linkers`` of the facts in ``frames``: each link's holder values and the subjects holding them.

    A holder linked itself (a tender, into its responsible cadres' partitions) is read with the links
    resolved before it (``link_order``)."""
    out: dict[int, pl.DataFrame] = {}
    for n, (_, link) in enumerate(link_order()):
        frame = frames.get(link.holder)
        if frame is None:
            continue
        held = direct_members(link.holder, frame, keyed, out).filter(_of_kind(link.kind)).select(SUBJECT, SEQ)
        values = _field_values(frame, link.holder_field, keyed)
        out[n] = held.join(values, on=SEQ).select("__value__", SUBJECT).unique()
    return out


def linked_members(fact_type: str, frame: pl.DataFrame, keyed: Frames, linkers: Linkers) -> pl.DataFrame | None:
    """(SUBJECT, SEQ, ORDER, ROLE) for a type's facts linked into other subjects' partitions, once each."""
    parts = []
    for n, (linked_type, link) in enumerate(link_order()):
        reach = linkers.get(n)
        if linked_type != fact_type or reach is None:
            continue
        values = _field_values(frame, link.field, keyed)
        parts.append(values.join(reach, on="__value__", how="inner").select(SUBJECT, SEQ))
    if not parts:
        return None
    found = pl.concat(parts).unique(maintain_order=True)
    return found.with_columns((pl.col(SEQ) + _LINKED).alias(ORDER), pl.lit("linked").alias(ROLE))


def through_targets() -> set[tuple[str, str]]:
    """(type, field) of every partition or link read through a foreign key (``fk>type.field``)."""
    out = link_through_targets()
    for model in FACT_MODELS.values():
        for where in model.partitions.values():
            if ">" in where:
                target_type, _, target_field = where.partition(">")[2].partition(".")
                out.add((target_type, target_field))
    return out


def through_keys(frames: Frames) -> dict[str, pl.DataFrame]:
    """For each ``type.field`` a partition is read through: (key as text, the field as text), by key."""
    out = {}
    for target_type, target_field in through_targets():
        pointed = _keyed(frames, target_type, _as_text(target_field).alias("__derived__"))
        if pointed is not None:
            out[f"{target_type}.{target_field}"] = pointed
    return out


def _through(fact_type: str, frame: pl.DataFrame, keyed: Frames) -> pl.DataFrame | None:
    """Partitions read through a foreign key: ``fk>target.field``."""
    parts = []
    for kind, where in FACT_MODELS[fact_type].partitions.items():
        if ">" not in where:
            continue
        fk, _, target = where.partition(">")
        pointed = keyed.get(target)
        if pointed is None:
            continue
        joined = frame.select(_as_text(fk).alias("__key__"), SEQ).join(pointed, on="__key__", how="inner")
        parts.append(
            joined.filter(pl.col("__derived__").is_not_null()).select(
                _subject(kind, pl.col("__derived__")).alias(SUBJECT), SEQ
            )
        )
    if not parts:
        return None
    return pl.concat(parts).with_columns((pl.col(SEQ) + _THROUGH).alias(ORDER), pl.lit("through").alias(ROLE))


def reference_keys(frames: Frames) -> dict[str, pl.DataFrame]:
    """For each type in ``frames`` that records point to: (key as text, its SEQ), by key."""
    out = {}
    for ref_type in {t for model in FACT_MODELS.values() for t in model.references.values()}:
        found = _keyed(frames, ref_type, pl.col(SEQ).alias("__ref_seq__"))
        if found is not None:
            out[ref_type] = found
    return out


def _attached(direct: Mapping[str, pl.DataFrame], frames: Frames, pointed: Frames) -> list[tuple[str, pl.DataFrame]]:
    """Reference facts the members point to, and those these point to in turn (two steps, as partition_facts)."""
    first = _pointed(direct, frames, pointed)
    second = _pointed({t: f for t, f in _by_type(first).items()}, frames, pointed)
    found = _by_type(first + second)
    out = []
    for fact_type, frame in found.items():
        key = FACT_MODELS[fact_type].key_field
        keys = frames[fact_type].select(SEQ, pl.format(f"{fact_type}:{{}}", _as_text(key)).alias("__fact_key__"))
        unique = frame.unique([SUBJECT, SEQ]).join(keys, on=SEQ)
        out.append((fact_type, unique.select(SUBJECT, SEQ, "__fact_key__")))
    if not out:
        return []
    # one order across types: the attached facts of a partition are sorted by their key (type:id)
    every = pl.concat([frame.with_columns(pl.lit(t).alias("__type__")) for t, frame in out])
    every = every.with_columns((pl.col("__fact_key__").rank("dense").cast(pl.Int64) + _ATTACHED).alias(ORDER))
    return [
        (t, every.filter(pl.col("__type__") == t).select(SUBJECT, SEQ, ORDER, pl.lit("attached").alias(ROLE)))
        for t, _ in out
    ]


def _pointed(holders: Mapping[str, pl.DataFrame], frames: Frames, keys: Frames) -> list[tuple[str, pl.DataFrame]]:
    """(reference type, (SUBJECT, SEQ)) for the facts that ``holders``' facts point to by a reference field
    (``keys``: ``reference_keys`` made already)."""
    out = []
    for fact_type, held in holders.items():
        references = FACT_MODELS[fact_type].references
        if not references or held.is_empty():
            continue
        fields = frames[fact_type].select(SEQ, *(_as_text(fk).alias(fk) for fk in references))
        rows = held.select(SUBJECT, SEQ).join(fields, on=SEQ)
        for fk, ref_type in references.items():
            pointed = keys.get(ref_type)
            if pointed is None:
                pointed = _keyed(frames, ref_type, pl.col(SEQ).alias("__ref_seq__"))
            if pointed is None:
                continue
            hit = rows.select(SUBJECT, pl.col(fk).alias("__key__")).join(pointed, on="__key__", how="inner")
            out.append((ref_type, hit.select(SUBJECT, pl.col("__ref_seq__").alias(SEQ))))
    return out


def _by_type(found: list[tuple[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    grouped: dict[str, list[pl.DataFrame]] = {}
    for fact_type, frame in found:
        grouped.setdefault(fact_type, []).append(frame)
    return {t: pl.concat(frames).unique() for t, frames in grouped.items()}


def link_columns() -> dict[str, list[str]]:
    """The columns ``link_keys`` reads of each holder type."""
    out: dict[str, set[str]] = {}
    for _, link in link_order():
        model = FACT_MODELS[link.holder]
        wanted = out.setdefault(link.holder, set(own_fields(link.holder)))
        wanted.add(link.holder_field.partition(">")[0])
        wanted.update(w.partition(">")[0] for w in model.partitions.values() if ">" in w)
        wanted.update(held.field.partition(">")[0] for held in model.links)
    return {t: sorted(c) for t, c in out.items()}
