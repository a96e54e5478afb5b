"""Before a scan writes anything: is tonight's input whole enough to judge by?

Missing data is not evidence that a risk went away. A scan compares what it read with what the last
completed scan read, and refuses (writes no alert, clears nothing) when:

- input: there is no input at all; a fact type that was present is missing, empty or refused; or the
  number of subjects dropped by more than ``max_subject_drop`` (10%). An operator who knows the drop is
  real (a reorganisation) accepts it by name (``accepted_by``), and the run records that;
- data: a file was refused whole, or more than ``max_quarantined`` (1%) of a file's records were
  quarantined and some of them name no subject that could be held back. These are not accepted by
  name: fix the export, or raise the limit deliberately.

A file over the limit whose every quarantined record names its subjects does not stop the night: those
subjects are held back (their alerts unchanged), the rest is written, and the breach is reported
(``over_limit``; the command exits 5).

Pure functions over the load result; the store keeps each scan's profile (scan_run.input_profile).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from risk_warning.plan.membership import SUBJECT, own_fields, own_members
from risk_warning.settings import settings
from risk_warning.sources.base import LoadResult


@dataclass(frozen=True)
class InputPolicy:
    """The limits of the input check; unset ones come from the settings (RW_MAX_SUBJECT_DROP ...)."""

    # share of last scan's subjects that may be missing tonight
    max_subject_drop: float = field(default_factory=lambda: settings().max_subject_drop)
    # share of one file's records that may be quarantined
    max_quarantined: float = field(default_factory=lambda: settings().max_quarantined)
    accepted_by: str | None = None  # who accepts an input refusal (never data errors)


@dataclass(frozen=True)
class InputProfile:
    """What a scan read: accepted records per fact type, and how many subjects they name."""

    types: Mapping[str, int]
    subjects: int

    def as_dict(self) -> dict[str, Any]:
        return {"types": dict(sorted(self.types.items())), "subjects": self.subjects}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InputProfile:
        return cls(dict(data.get("types", {})), int(data.get("subjects", 0)))


@dataclass
class InputVerdict:
    input_problems: list[str] = field(default_factory=list)  # may be accepted by name
    data_problems: list[str] = field(default_factory=list)  # never accepted by name
    over_limit: list[str] = field(default_factory=list)  # quarantine beyond the limit, every subject held


def profile_of(loaded: LoadResult, frames: Mapping[str, pl.DataFrame] | None = None) -> InputProfile:
    """Records per fact type and the subjects they name (``frames``: ``loaded.frames()`` when at hand;
    without, the load is read a table at a time)."""
    pieces = frames.items() if frames is not None else loaded.pieces(own_fields)
    named = [own_members(t, f).get_column(SUBJECT).unique() for t, f in pieces]
    subjects = pl.concat(named).n_unique() if named else 0
    return InputProfile(dict(loaded.count()), subjects)


def check_input(
    loaded: LoadResult, profile: InputProfile, last: InputProfile | None, policy: InputPolicy
) -> InputVerdict:
    verdict = InputVerdict()
    nameless = {q.location.path for q in loaded.quarantined if not q.subjects}
    for report in loaded.files:
        if report.refused:
            verdict.data_problems.append(f"{report.path}: the file was refused: {report.refused}")
        elif report.read and report.quarantined / report.read > policy.max_quarantined:
            breach = (
                f"{report.path}: {report.quarantined} of {report.read} records quarantined "
                f"({report.quarantined / report.read:.1%}; the limit is {policy.max_quarantined:.1%})"
            )
            if report.path in nameless:
                verdict.data_problems.append(f"{breach}, some naming no subject that could be held back")
            else:
                verdict.over_limit.append(breach)
    if not sum(loaded.count().values()):
        verdict.input_problems.append("no input at all: no record was read")
    if last is None:
        return verdict
    for fact_type, count in sorted(last.types.items()):
        now = profile.types.get(fact_type, 0)
        if count and not now:
            state = "refused" if fact_type in loaded.refused_types else "missing or empty"
            verdict.input_problems.append(f"{fact_type}: {count} record(s) last time, {state} tonight")
    if last.subjects and profile.subjects < last.subjects * (1 - policy.max_subject_drop):
        drop = 1 - profile.subjects / last.subjects
        verdict.input_problems.append(
            f"subjects dropped from {last.subjects} to {profile.subjects} ({drop:.0%}; the limit is "
            f"{policy.max_subject_drop:.0%})"
        )
    return verdict
