"""Backtest expectation files: how often each rule must fire over a named data set and period.

A file named ``*.expect.yaml`` sits beside the rulesets it checks (the ruleset loader passes it by) and
turns ``risk-warning backtest --expect`` into a gate for CI::

    data_sets:
      demo: ../../fixtures/demo          # a directory of export files, relative to this file
    backtests:
      - name: June on the demo export
        data: demo
        from: 2026-06-01
        to: 2026-06-30
        step: week                       # day (default), week or month
        expect:
          selection.publicity-short: {at_least: 1}
          conflict.recusal-missing: {exactly: 1}
          travel.weekend-claims: {at_most: 2}

"Fires" counts the alerts the rule raised over the period: each alert the first night it holds, and again
the night it comes back after clearing (the ``new`` column of a backtest). Every problem in the file is a
located diagnostic; unknown data sets and rule ids get a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import Field, model_validator

from risk_warning.errors import Diagnostic, Reason, RulesetError, did_you_mean, listed
from risk_warning.rules.diagnostics import load_model_file
from risk_warning.rules.model import _Spec
from risk_warning.rules.program import Ruleset

SUFFIXES = (".expect.yaml", ".expect.yml")


class Count(_Spec):
    """How many alerts a rule raises over the period: ``exactly``, or ``at_least`` and/or ``at_most``."""

    at_least: int | None = Field(default=None, ge=0)
    at_most: int | None = Field(default=None, ge=0)
    exactly: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> Count:
        if self.exactly is not None and (self.at_least is not None or self.at_most is not None):
            raise ValueError("give exactly, or at_least and/or at_most, not both")
        if self.exactly is None and self.at_least is None and self.at_most is None:
            raise ValueError("give exactly, at_least or at_most")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least ({self.at_least}) is more than at_most ({self.at_most})")
        return self

    def holds(self, fired: int) -> bool:
        if self.exactly is not None:
            return fired == self.exactly
        return (self.at_least is None or fired >= self.at_least) and (self.at_most is None or fired <= self.at_most)

    def __str__(self) -> str:
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        bounds = [f"at least {self.at_least}"] if self.at_least is not None else []
        bounds += [f"at most {self.at_most}"] if self.at_most is not None else []
        return " and ".join(bounds)


class BacktestSpec(_Spec):
    """One replayed period on one data set, and the counts its rules must meet."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    data: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    step: Literal["day", "week", "month"] = "day"
    expect: dict[str, Count]

    @model_validator(mode="after")
    def _ordered(self) -> BacktestSpec:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self


class ExpectationFileSpec(_Spec):
    data_sets: dict[str, str]
    backtests: list[BacktestSpec]


# the keys allowed at each depth, for "unknown key" hints
KEYS: dict[tuple[str, ...], type[pydantic.BaseModel]] = {
    (): ExpectationFileSpec,
    ("backtests", "*"): BacktestSpec,
    ("backtests", "*", "expect", "*"): Count,
}


@dataclass(frozen=True)
class RuleCount:
    """One expectation, located in its file: ``rule`` fires ``count`` times in ``backtest``."""

    backtest: BacktestSpec
    data: Path
    rule: str
    count: Count
    where: str  # path:line:col of the rule's key


@dataclass(frozen=True)
class ExpectationFile:
    path: Path
    expectations: tuple[RuleCount, ...]


def is_expectation_file(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def expectation_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every ``*.expect.yaml`` under the given files and directories, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(q for q in p.rglob("*") if is_expectation_file(q)) if p.is_dir() else [p]
    return files


def load_expectations(path: Path, rulesets: Sequence[Ruleset]) -> ExpectationFile:
    """Parse and check one expectation file against the rules it is about; raise RulesetError with every
    problem, each at file:line:col."""
    spec, smap, out = load_model_file(path, ExpectationFileSpec, KEYS)
    folders: dict[str, Path] = {}
    for name, folder in spec.data_sets.items():
        resolved = (path.parent / folder).resolve()
        if not resolved.is_dir():
            message = f"data set '{name}': no directory {resolved}"
            out.at(("data_sets", name), Reason.BAD_VALUE, message, "a path relative to this file")
        folders[name] = resolved
    rule_ids = sorted({rule.id for rs in rulesets for rule in rs.spec.rules})
    expectations: list[RuleCount] = []
    for i, run in enumerate(spec.backtests):
        if run.data not in folders:
            hint = did_you_mean(run.data, folders) or "data sets: " + (listed(sorted(folders)) or "none")
            out.at(("backtests", i, "data"), Reason.UNKNOWN_NAME, f"unknown data set '{run.data}'", hint)
            continue
        for rule, count in run.expect.items():
            key = ("backtests", i, "expect", rule)
            if rule not in rule_ids:
                hint = did_you_mean(rule, rule_ids) or "not a rule of the rulesets given with --rules"
                out.add(Diagnostic(smap.at(key, key=True), Reason.UNKNOWN_NAME, f"unknown rule '{rule}'", hint))
                continue
            where = str(smap.at(key, key=True))
            expectations.append(RuleCount(run, folders[run.data], rule, count, where))
    if out.items:
        raise RulesetError(sorted(out.items, key=lambda d: (d.location.line, d.location.col)))
    return ExpectationFile(path, tuple(expectations))
