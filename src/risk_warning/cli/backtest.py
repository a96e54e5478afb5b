"""``risk-warning backtest``: the nightly scans of a past period replayed on a scratch store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from risk_warning.cli._common import (
    CalendarOpt,
    Format,
    FormatOpt,
    RulesOpt,
    SiteOpt,
    data_dir,
    err,
    load_rules,
    out,
    required_date,
)
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.errors import Diagnostic, RulesetError
from risk_warning.privacy import scrub
from risk_warning.rules.program import Ruleset


def backtest(
    data: Annotated[Path | None, typer.Option(help="A directory of export files, as for scan.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First night (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last night (YYYY-MM-DD).")] = None,
    step: Annotated[str, typer.Option(help="day, week or month: the nights a schedule would have run.")] = "day",
    rules: RulesOpt = None,
    baseline: Annotated[
        list[Path] | None, typer.Option(help="The rules in production, to list the alerts added and removed.")
    ] = None,
    expect: Annotated[
        list[Path] | None,
        typer.Option(help="Expectation files (*.expect.yaml) or directories holding them: check them instead."),
    ] = None,
    junit: Annotated[Path | None, typer.Option(help="With --expect: write a JUnit XML report here.")] = None,
    site: SiteOpt = None,
    calendar: CalendarOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Replay the nightly scans of a period on a scratch store (the production store is never touched): per
    rule and night the alerts that held and the new ones; against --baseline, the alerts added and removed.
    With --expect, check how often each rule fires against expectation files instead (exit 1 when one is
    not met): a gate for CI, with --junit for its test report."""
    from risk_warning.run.backtest import backtest as replay
    from risk_warning.run.backtest import nights
    from risk_warning.sources.directory import DirectorySource

    if expect:
        if data or start or end or baseline:
            err.print("--expect takes its data sets and periods from the files: drop --data/--from/--to/--baseline")
            raise typer.Exit(ExitCode.CONFIG)
        _check(expect, junit, load_rules(rules, site, calendar), fmt)
        return
    if data is None or start is None or end is None:
        err.print("give --data, --from and --to (or --expect FILES)", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    first, last = required_date(start, "--from"), required_date(end, "--to")
    if step not in ("day", "week", "month"):
        err.print(f"--step is day, week or month, not {step!r}", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    try:
        count = len(list(nights(first, last, step)))  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None
    rulesets = load_rules(rules, site, calendar)
    before = load_rules(baseline, site, calendar) if baseline else None
    err.print(f"replaying {count} night(s) from {first} to {last}", markup=False)
    result = replay(rulesets, DirectorySource(data_dir(data)), first, last, step, baseline=before)  # type: ignore[arg-type]
    changes = result.changes()
    if fmt == "json":
        body = {
            "nights": [
                {
                    "as_of": n.as_of.isoformat(),
                    "held": [
                        {"rule": r, "grade": g, "unit": u, "alerts": c} for (r, g, u), c in sorted(n.held.items())
                    ],
                    "new": dict(sorted(n.new.items())),
                }
                for n in result.nights
            ],
            "changes": [
                {"as_of": d.isoformat(), "change": c, "rule": r, "subject": s, "grade": g} for d, c, r, s, g in changes
            ],
        }
        out.print(json.dumps(body, ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(title=f"backtest {first} .. {last} ({step})")
    table.add_column("rule")
    for night in result.nights:
        table.add_column(night.as_of.isoformat()[5:], justify="right")
    for rule, per_night in result.per_rule().items():
        table.add_row(rule, *(str(per_night.get(n.as_of.isoformat(), 0)) for n in result.nights))
    out.print(table)
    for day, change, rule, subject, grade in changes:
        out.print(f"{day} {change:<7} {rule} {subject} {grade}", markup=False)


def _check(paths: list[Path], junit: Path | None, rulesets: list[Ruleset], fmt: str) -> None:
    """Check expectation files: a line per expectation, a JUnit report, exit 1 when any is not met."""
    from risk_warning.reports.junit import Case, write_junit
    from risk_warning.rules.expectations import ExpectationFile, expectation_files, load_expectations
    from risk_warning.run.backtest import check_expectations

    missing = [p for p in paths if not p.exists()]
    if missing:
        err.print(f"no such file or directory: {', '.join(map(str, missing))}", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    files: list[ExpectationFile] = []
    problems: list[Diagnostic] = []
    for path in expectation_files(paths):
        try:
            files.append(load_expectations(path, rulesets))
        except RulesetError as exc:
            problems += exc.diagnostics
    if problems:
        for d in problems:
            err.print(scrub(str(d)), markup=False)
        err.print(f"{len(problems)} problem(s); nothing was run.", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    if not files:
        err.print(f"no expectation files (*.expect.yaml) under {', '.join(map(str, paths))}", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    verdicts = check_expectations(rulesets, files)
    if junit is not None:
        cases = []
        for v in verdicts:
            e = v.expectation
            file, line, _ = e.where.rsplit(":", 2)
            failure = None if v.passed else v.message()
            cases.append(Case(e.backtest.name, e.rule, file, int(line), v.seconds, failure, (e.where,)))
        write_junit(junit, "risk-warning backtest", cases)
    if fmt == "json":
        body = [
            {
                "backtest": v.expectation.backtest.name,
                "rule": v.expectation.rule,
                "fired": v.fired,
                "expected": str(v.expectation.count),
                "passed": v.passed,
                "where": v.expectation.where,
            }
            for v in verdicts
        ]
        out.print(json.dumps(body, ensure_ascii=False, indent=2), markup=False)
    else:
        for v in verdicts:
            e = v.expectation
            if v.passed:
                out.print(f"ok   {e.backtest.name}: {e.rule} fired {v.fired} ({e.count})", markup=False)
            else:
                err.print(f"{e.where}: FAIL {e.backtest.name}: {v.message()}", markup=False)
    failed = sum(not v.passed for v in verdicts)
    out.print(f"{len(verdicts) - failed} met, {failed} not met", markup=False)
    if failed:
        raise typer.Exit(ExitCode.FINDINGS)
