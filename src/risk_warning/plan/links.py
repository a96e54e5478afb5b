"""The person graph's links (``facts._base.Link``), in the order they are resolved.

A link's holder may itself be a linked type (a cadre's tenders, then those tenders' bids), so the links of
a holder are resolved before the links that read it. ``partition.partition_facts`` (facts in memory) and
``membership`` (frames) both walk ``link_order``; ``tests/plan/test_links.py`` holds the declarations to
the rules below.
"""

from __future__ import annotations

from functools import cache

from risk_warning.facts._base import Link
from risk_warning.facts.registry import FACT_MODELS


class LinkError(ValueError):
    """A link declaration that cannot hold (a programming error in a fact model, found at import)."""


@cache
def link_order() -> tuple[tuple[str, Link], ...]:
    """(linked type, link) for every declared link, a holder's own links before the links that read it."""
    pending = [(name, link) for name, model in FACT_MODELS.items() for link in model.links]
    done: list[tuple[str, Link]] = []
    while pending:
        ready = [(t, link) for t, link in pending if not any(other == link.holder for other, _ in pending)]
        if not ready:
            raise LinkError(f"links go round in a circle: {sorted({t for t, _ in pending})}")
        done += ready
        pending = [p for p in pending if p not in ready]
    for fact_type, link in done:
        _check(fact_type, link)
    return tuple(done)


def _check(fact_type: str, link: Link) -> None:
    model = FACT_MODELS[fact_type]
    if link.kind in model.subject_kinds():
        raise LinkError(f"{fact_type} is in {link.kind} partitions as its own; it cannot be linked into them")
    holder = FACT_MODELS.get(link.holder)
    if holder is None or link.holder_field not in holder.model_fields:
        raise LinkError(f"{fact_type}'s link names {link.holder}.{link.holder_field}, which is not a field")
    if link.kind not in holder.visible_kinds():
        raise LinkError(f"{fact_type}'s link holder {link.holder} is not in {link.kind} partitions")
    field, _, through = link.field.partition(">")
    if field not in model.model_fields:
        raise LinkError(f"{fact_type} has no field {field} to link by")
    if through:
        target_type, _, target_field = through.partition(".")
        target = FACT_MODELS.get(target_type)
        if target is None or target_field not in target.model_fields:
            raise LinkError(f"{fact_type}'s link reads {through}, which is not a field")


def linked_types(kind: str) -> frozenset[str]:
    """The types linked into partitions of ``kind``."""
    return frozenset(t for t, link in link_order() if link.kind == kind)


def link_through_targets() -> set[tuple[str, str]]:
    """(type, field) a link reads through a foreign key (``fk>type.field``)."""
    out = set()
    for _, link in link_order():
        if ">" in link.field:
            target_type, _, target_field = link.field.partition(">")[2].partition(".")
            out.add((target_type, target_field))
    return out
