"""Run rules over history before they go live: replay the nightly scans of a period on a scratch store.

Each night of the period (every day, or every week or month: the nights a schedule would have run) is a
real scan of the source as of that date, recorded in a store of its own (SQLite in a temporary folder),
so the closed loop behaves as it would have: an alert is new the first night it holds, cleared when it
stops. The result counts, per period and rule, the alerts that held and the new ones, by grade and unit.
With a baseline (the rules in production), the same nights are replayed for it, and the alerts each side
raised that the other did not are listed: what a rule change would have added and removed.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from risk_warning.alerts.lifecycle import REOPENS
from risk_warning.rules.expectations import ExpectationFile, RuleCount
from risk_warning.rules.program import Ruleset
from risk_warning.run.scan import scan
from risk_warning.sources.base import Source
from risk_warning.sources.directory import DirectorySource
from risk_warning.store.repository import AlertStore

Step = Literal["day", "week", "month"]


@dataclass
class Night:
    as_of: date
    held: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (rule, grade, unit) of the alerts that held
    new: Counter[str] = field(default_factory=Counter)  # rule -> alerts first seen (or seen again) that night
    alerts: set[tuple[str, str, str]] = field(default_factory=set)  # (rule, subject, grade)


@dataclass
class Backtest:
    nights: list[Night]
    baseline: list[Night] | None = None

    def per_rule(self) -> dict[str, dict[str, int]]:
        """rule -> {night: alerts that held}, over every night."""
        out: dict[str, Counter[str]] = {}
        for night in self.nights:
            for (rule, _, _), n in night.held.items():
                out.setdefault(rule, Counter())[night.as_of.isoformat()] += n
        return {rule: dict(counts) for rule, counts in sorted(out.items())}

    def raised(self, rule: str) -> int:
        """The alerts ``rule`` raised over the period: each the first night it held, and again each night it
        came back after clearing."""
        return sum(night.new[rule] for night in self.nights)

    def changes(self) -> list[tuple[date, str, str, str, str]]:
        """(night, "added" or "removed", rule, subject, grade) against the baseline."""
        if self.baseline is None:
            return []
        out = []
        for mine, theirs in zip(self.nights, self.baseline, strict=True):
            out += [(mine.as_of, "added", *a) for a in sorted(mine.alerts - theirs.alerts)]
            out += [(mine.as_of, "removed", *a) for a in sorted(theirs.alerts - mine.alerts)]
        return out


def nights(start: date, end: date, step: Step) -> Iterator[date]:
    """The scan dates of the period: every day, every 7th day, or the same day of every month (the month's
    last day where it has no such day), from ``start`` through ``end``."""
    if end < start:
        raise ValueError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    n = 0
    while True:
        if step == "day":
            day = start + timedelta(days=n)
        elif step == "week":
            day = start + timedelta(weeks=n)
        else:
            month = start.month - 1 + n
            year, month = start.year + month // 12, month % 12 + 1
            last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
            day = date(year, month, min(start.day, last))
        if day > end:
            return
        yield day
        n += 1


def backtest(
    rulesets: Sequence[Ruleset],
    source: Source,
    start: date,
    end: date,
    step: Step = "day",
    *,
    baseline: Sequence[Ruleset] | None = None,
) -> Backtest:
    """The period's nights replayed for ``rulesets`` (and ``baseline``), each on a scratch store."""
    days = list(nights(start, end, step))
    result = Backtest(_replay(rulesets, source, days))
    if baseline is not None:
        result.baseline = _replay(baseline, source, days)
    return result


def _replay(rulesets: Sequence[Ruleset], source: Source, days: Sequence[date]) -> list[Night]:
    out = []
    with tempfile.TemporaryDirectory(prefix="rw-backtest-") as folder:
        store = AlertStore(f"sqlite:///{Path(folder) / 'scratch.db'}")
        try:
            for day in days:
                before = {a.fingerprint: a.status for a in store.alerts()}
                done = scan(rulesets, source, day, store=store)
                units = {a.fingerprint: a.org_unit_id or "" for a in store.alerts()}
                night = Night(day)
                for alert in done.alerts:
                    night.held[(alert.rule_id, alert.grade.value, units.get(alert.fingerprint, ""))] += 1
                    night.alerts.add((alert.rule_id, alert.subject_id, alert.grade.value))
                    if alert.fingerprint not in before or before[alert.fingerprint] in REOPENS:
                        night.new[alert.rule_id] += 1
                out.append(night)
        finally:
            store.close()
    return out


@dataclass(frozen=True)
class Verdict:
    """One expectation checked: how often its rule fired, and whether that meets the count."""

    expectation: RuleCount
    fired: int
    seconds: float  # its backtest's replay, on the first expectation of that backtest (0 on the others)

    @property
    def passed(self) -> bool:
        return self.expectation.count.holds(self.fired)

    def message(self) -> str:
        e = self.expectation
        period = f"{e.backtest.start}..{e.backtest.end} by {e.backtest.step}"
        return f"{e.rule} fired {self.fired} time(s) over {period} on '{e.backtest.data}', expected {e.count}"


def check_expectations(rulesets: Sequence[Ruleset], files: Sequence[ExpectationFile]) -> list[Verdict]:
    """Every expectation of ``files``, each backtest replayed once (one data set and period shared by
    several files is replayed once too)."""
    replayed: dict[tuple[Path, date, date, Step], Backtest] = {}
    verdicts = []
    for file in files:
        for e in file.expectations:
            key = (e.data, e.backtest.start, e.backtest.end, e.backtest.step)
            seconds = 0.0  # the replay's time goes to its first expectation only, so that times add up
            if key not in replayed:
                started = time.perf_counter()
                replayed[key] = backtest(rulesets, DirectorySource(e.data), *key[1:])
                seconds = time.perf_counter() - started
            verdicts.append(Verdict(e, replayed[key].raised(e.rule), seconds))
    return verdicts
