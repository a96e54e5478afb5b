"""Which facts are in which subject's partition, as frames: ``partition_facts`` for a whole export at once.

The input is one frame per fact type, a row per accepted record, with every model field and ``SEQ`` (the
record's place in the load). The answer, per fact type, is a frame of (``SUBJECT``, ``SEQ``, ``ORDER``,
``ROLE``): a fact is in a subject's partition as its own (a subject field, or a partition field), as
read through a foreign key (``fk>type.field``: an appointment is in its post's unit), or attached as a
reference (a post, its unit) that one of the subject's facts points to, two steps at most. ``ORDER``
is the fact's place in the partition ``partition_facts`` builds: its own facts in load order, then those
read through a key, then the attached ones by key. ``tests/plan/test_membership.py`` holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS

SUBJECT = "__subject__"
SEQ = "__seq__"
ORDER = "__order__"
ROLE = "__role__"  # "own", "through" (a foreign key) or "attached" (a reference)
_THROUGH = 1 << 40  # after every own fact
_ATTACHED = 1 << 41  # after every fact read through a key

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
) -> dict[str, pl.DataFrame]:
    """Per fact type, (SUBJECT, SEQ, ORDER, ROLE) for every partition each fact is in.

    When ``frames`` hold only part of a load (a bucket of subjects): ``keyed`` is ``through_keys`` of the
    whole load (a cadre's unit is read from the cadre's record, which may be in another bucket),
    ``only`` keeps the membership rows of the subjects wanted, and ``pointed`` is ``reference_keys`` of
    the reference types, made once for every part.
    """
    keyed = through_keys(frames) if keyed is None else keyed
    direct: dict[str, pl.DataFrame] = {}
    for fact_type, frame in frames.items():
        mine = direct_members(fact_type, frame, keyed)
        direct[fact_type] = only(mine) if only is not None else mine
    attached = _attached(direct, frames, pointed or {})
    out = {}
    for fact_type in frames:
        found = [direct[fact_type], *(a for t, a in attached if t == fact_type)]
        out[fact_type] = pl.concat(found)
    return out


def direct_members(fact_type: str, frame: pl.DataFrame, keyed: Frames) -> pl.DataFrame:
    """(SUBJECT, SEQ, ORDER, ROLE) for a type's facts in partitions of their own or read through a key."""
    own = own_members(fact_type, frame).with_columns(pl.col(SEQ).alias(ORDER), pl.lit("own").alias(ROLE))
    through = _through(fact_type, frame, keyed)
    return pl.concat([own, through]) if through is not None else own


def through_targets() -> set[tuple[str, str]]:
    """(type, field) of every partition read through a foreign key (``fk>type.field``)."""
    out = set()
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
