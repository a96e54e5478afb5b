"""Which subjects a scan evaluates, and the facts it makes for them: the columnar part of a scan.

Membership (plan/membership.py) says which subjects tonight's input holds; the screen
(plan/screen.py) says which of them some alert rule could fire on. Facts are made only for the subjects
let through, and only these are partitioned for the engine's path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import polars as pl

from risk_warning.errors import QuarantinedRecord
from risk_warning.facts._base import SUBJECT_KINDS, Fact
from risk_warning.facts.normalise import day_number
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.facts.schema import evaluation_columns
from risk_warning.plan.incremental import Partition
from risk_warning.plan.membership import ORDER, ROLE, SEQ, SUBJECT
from risk_warning.plan.partition import partition_facts, unit_of
from risk_warning.plan.screen import Screen
from risk_warning.rules.program import Ruleset, phase_rulesets
from risk_warning.sources.base import LoadResult

KIND = "__kind__"


def present_subjects(
    membership: Mapping[str, pl.DataFrame], quarantined: Iterable[QuarantinedRecord]
) -> tuple[set[str], list[str]]:
    """(the subjects tonight's input holds, less those held; the held ones, sorted).

    A subject a quarantined record names is held: judged without that record it could be cleared, or
    accused, wrongly. One the input only points to (a reference) or only the store remembers is absent.
    """
    direct = [m.filter(pl.col(ROLE) != "attached").get_column(SUBJECT) for m in membership.values()]
    present = set(pl.concat(direct).unique().to_list()) if direct else set()
    held = present & {s for q in quarantined for s in q.subjects}
    return present - held, sorted(held)


def screened(
    rulesets: Sequence[Ruleset],
    frames: Mapping[str, pl.DataFrame],
    membership: Mapping[str, pl.DataFrame],
    present: set[str],
    as_of: date,
    screens: dict[str, Screen] | None = None,
) -> set[str]:
    """The present subjects some alert rule of their kind could fire on (plan/screen.py); ``screens``
    keeps each kind's screen for the next call (a scan's next bucket of subjects)."""
    screens = {} if screens is None else screens
    day = day_number(as_of)
    people = pl.DataFrame({SUBJECT: sorted(present)}, schema={SUBJECT: pl.String}).with_columns(
        _kind(pl.col(SUBJECT)).alias(KIND)
    )
    through: list[pl.Series] = []
    for kind in SUBJECT_KINDS:
        own = phase_rulesets([rs for rs in rulesets if rs.spec.subject == kind], escalation=False)
        subjects = people.filter(pl.col(KIND) == kind).get_column(SUBJECT)
        if not own or subjects.is_empty():
            continue
        if kind not in screens:
            screens[kind] = Screen(own, day)
        screen = screens[kind]
        evaluated = {}
        for fact_type, rows in membership.items():
            of_kind = rows.filter(pl.col(SUBJECT).is_in(subjects.implode())).select(SUBJECT, SEQ, ORDER)
            if of_kind.is_empty():
                continue
            columns = evaluation_columns(FACT_SPECS[fact_type])
            read = [c for c in columns if c.meta.output_name() in screen.reads]
            evaluated[fact_type] = of_kind.join(frames[fact_type].select(SEQ, *read), on=SEQ).drop(SEQ)
        through.append(screen.passing_series(evaluated, subjects))
    return set(pl.concat(through).to_list()) if through else set()


def _kind(subject: pl.Expr) -> pl.Expr:
    """``facts._base.subject_kind`` as a column: the prefix before ':' if it is a kind, otherwise a cadre."""
    kinds = "|".join(SUBJECT_KINDS[1:])
    return subject.str.extract(f"^({kinds}):", 1).fill_null("cadre")


def partitions_of(
    loaded: LoadResult, membership: Mapping[str, pl.DataFrame], through: set[str], history: Sequence[Fact]
) -> list[Partition]:
    """The partitions of the subjects let through, as ``partition_facts`` makes them of every fact."""
    wanted = [m.filter(pl.col(SUBJECT).is_in(list(through))).get_column(SEQ) for m in membership.values()]
    facts = loaded.facts_of(pl.concat(wanted).unique()) if wanted else []
    return [(s, m) for s, m in partition_facts([*facts, *history]) if s in through]


def org_units(loaded: LoadResult, partitions: Sequence[Partition]) -> dict[str, str]:
    """The org unit of every cadre, and of each partitioned unit, project or contract (alerts are routed by it)."""
    units = {cadre: unit for cadre, unit in loaded.values("cadre", "cadre_id", "org_unit_id") if unit}
    for subject, facts in partitions:
        unit = unit_of(subject, facts)
        if unit is not None:
            units[subject] = unit
    return units
