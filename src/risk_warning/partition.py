"""Split facts by subject: each cadre's own facts plus the reference facts (posts, units) they point to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from risk_warning.facts._base import Fact


def partition_facts(facts: Iterable[Fact]) -> Iterator[tuple[str, list[Fact]]]:
    """(subject id, facts) for every subject, in a stable order (sorted by subject id)."""
    own: dict[str, list[Fact]] = defaultdict(list)
    reference: dict[tuple[str, str], Fact] = {}
    for fact in facts:
        subjects = fact.subject_ids()
        if not type(fact).subject_fields:
            reference[(fact.fact_type, str(getattr(fact, fact.key_field)))] = fact
        for subject in subjects:
            own[subject].append(fact)
    for subject in sorted(own):
        members = own[subject]
        attached: dict[str, Fact] = {}
        for fact in members:
            for fk, ref_type in type(fact).references.items():
                target = reference.get((ref_type, str(getattr(fact, fk))))
                if target is not None:
                    attached[target.key] = target
        # reference facts can themselves refer on (a post to its unit)
        for fact in list(attached.values()):
            for fk, ref_type in type(fact).references.items():
                target = reference.get((ref_type, str(getattr(fact, fk))))
                if target is not None:
                    attached.setdefault(target.key, target)
        yield subject, members + sorted(attached.values(), key=lambda f: f.key)
