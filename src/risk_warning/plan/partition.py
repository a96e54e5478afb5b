"""Split facts by subject: each subject's own facts plus the reference facts (posts, units) they point to.

A subject is a cadre, or an org unit, project or contract (``unit:U01``): a fact type says which
partitions it belongs to (``Fact.subject_fields`` and ``Fact.partitions``), and which it is linked
into through another fact (``Fact.links``: a bid, into the partition of a cadre with a relative at the
bidder). A partition of one kind is evaluated only by the rulesets of that kind (``subject:`` in the
ruleset). Its facts: its own in load order, then those read through a key, then the linked ones in load
order, then the attached references by key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from risk_warning.facts._base import Fact, Link, subject_id, subject_kind
from risk_warning.plan.links import link_order

__all__ = ["derived_subjects", "partition_facts", "subject_kind", "unit_of"]


def _lookup_key(fact_type: str, value: object) -> tuple[str, str]:
    return (fact_type, str(value))


def derived_subjects(fact: Fact, index: dict[tuple[str, str], Fact]) -> list[str]:
    """Subjects read through a foreign key (``fk>type.field``), looked up in ``index`` by type and key."""
    out: list[str] = []
    for kind, where in type(fact).partitions.items():
        if ">" not in where:
            continue
        fk, _, target = where.partition(">")
        target_type, _, target_field = target.partition(".")
        value = getattr(fact, fk)
        pointed = index.get(_lookup_key(target_type, value)) if value is not None else None
        derived = getattr(pointed, target_field, None) if pointed is not None else None
        if derived is not None:
            out.append(subject_id(kind, str(derived)))
    return out


def _values(fact: Fact, field: str, index: dict[tuple[str, str], Fact]) -> list[str]:
    """A field's values as text (a list field's items), or those of ``fk>type.field`` read through a key."""
    fk, _, through = field.partition(">")
    value = getattr(fact, fk)
    if through and value is not None:
        target_type, _, target_field = through.partition(".")
        pointed = index.get(_lookup_key(target_type, value))
        value = getattr(pointed, target_field, None) if pointed is not None else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _linked(
    by_type: dict[str, list[Fact]],
    subjects_of: dict[int, list[str]],
    index: dict[tuple[str, str], Fact],
    position: dict[int, int],
) -> dict[str, list[Fact]]:
    """Per subject, the facts linked into its partition (``Fact.links``), once each, in load order.

    ``subjects_of`` holds each fact's own and read-through subjects (by ``id``); a fact linked is added
    to it as it is found, so a later link reads it as a holder (a cadre's tender, then its bids)."""
    found: dict[str, dict[int, Fact]] = defaultdict(dict)
    for fact_type, link in link_order():
        reach = _reach(link, by_type.get(link.holder, ()), subjects_of, index)
        for fact in by_type.get(fact_type, ()):
            for value in _values(fact, link.field, index):
                for subject in reach.get(value, ()):
                    if id(fact) not in found[subject]:
                        found[subject][id(fact)] = fact
                        subjects_of.setdefault(id(fact), []).append(subject)
    return {s: sorted(facts.values(), key=lambda f: position[id(f)]) for s, facts in found.items()}


def _reach(
    link: Link, holders: Iterable[Fact], subjects_of: dict[int, list[str]], index: dict[tuple[str, str], Fact]
) -> dict[str, list[str]]:
    """Holder field value -> the subjects of the link's kind whose partitions hold such a holder."""
    reach: dict[str, list[str]] = defaultdict(list)
    for holder in holders:
        subjects = [s for s in subjects_of.get(id(holder), ()) if subject_kind(s) == link.kind]
        for value in _values(holder, link.holder_field, index) if subjects else ():
            reach[value].extend(s for s in subjects if s not in reach[value])
    return reach


def partition_facts(facts: Iterable[Fact]) -> Iterator[tuple[str, list[Fact]]]:
    """(subject id, facts) for every subject, in a stable order (sorted by subject id)."""
    own: dict[str, list[Fact]] = defaultdict(list)
    index: dict[tuple[str, str], Fact] = {}  # every fact by type and key; references point at reference types
    through: list[Fact] = []
    by_type: dict[str, list[Fact]] = defaultdict(list)  # in load order
    subjects_of: dict[int, list[str]] = {}
    position: dict[int, int] = {}
    for n, fact in enumerate(facts):
        model = type(fact)
        position[id(fact)] = n
        by_type[fact.fact_type].append(fact)
        index[_lookup_key(fact.fact_type, getattr(fact, fact.key_field))] = fact
        subjects_of[id(fact)] = fact.subject_ids()
        for subject in subjects_of[id(fact)]:
            own[subject].append(fact)
        if any(">" in where for where in model.partitions.values()):
            through.append(fact)
    for fact in through:
        for subject in derived_subjects(fact, index):
            own[subject].append(fact)
            subjects_of[id(fact)].append(subject)
    for subject, linked in _linked(by_type, subjects_of, index, position).items():
        own[subject].extend(linked)
    for subject in sorted(own):
        members = own[subject]
        attached: dict[str, Fact] = {}
        for fact in members:
            for fk, ref_type in type(fact).references.items():
                target = index.get(_lookup_key(ref_type, getattr(fact, fk)))
                if target is not None:
                    attached[target.key] = target
        # reference facts can themselves refer on (a post to its unit)
        for fact in list(attached.values()):
            for fk, ref_type in type(fact).references.items():
                target = index.get(_lookup_key(ref_type, getattr(fact, fk)))
                if target is not None:
                    attached.setdefault(target.key, target)
        yield subject, members + sorted(attached.values(), key=lambda f: f.key)


def unit_of(subject: str, members: Iterable[Fact]) -> str | None:
    """The org unit an alert about a unit, project or contract is routed to (cadres: see their record)."""
    kind = subject_kind(subject)
    if kind == "cadre":
        return None
    if kind == "unit":
        return subject.partition(":")[2]
    for fact in members:
        if subject in fact.subject_ids():
            for other in fact.subject_ids():
                if subject_kind(other) == "unit":
                    return other.partition(":")[2]
    return None
