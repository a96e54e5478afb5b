"""Split facts by subject: each subject's own facts plus the reference facts (posts, units) they point to.

A subject is a cadre, or an org unit, project or contract (``unit:U01``): a fact type says which
partitions it belongs to (``Fact.subject_fields`` and ``Fact.partitions``). A partition of one kind is
evaluated only by the rulesets of that kind (``subject:`` in the ruleset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from risk_warning.facts._base import Fact, subject_id, subject_kind

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


def partition_facts(facts: Iterable[Fact]) -> Iterator[tuple[str, list[Fact]]]:
    """(subject id, facts) for every subject, in a stable order (sorted by subject id)."""
    own: dict[str, list[Fact]] = defaultdict(list)
    index: dict[tuple[str, str], Fact] = {}  # every fact by type and key; references point at reference types
    through: list[Fact] = []
    for fact in facts:
        model = type(fact)
        index[_lookup_key(fact.fact_type, getattr(fact, fact.key_field))] = fact
        for subject in fact.subject_ids():
            own[subject].append(fact)
        if any(">" in where for where in model.partitions.values()):
            through.append(fact)
    for fact in through:
        for subject in derived_subjects(fact, index):
            own[subject].append(fact)
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
