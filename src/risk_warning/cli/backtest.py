"""``risk-warning backtest``: the nightly scans of a past period replayed on a scratch store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from risk_warning.cli._common import CalendarOpt, FormatOpt, RulesOpt, SiteOpt, err, load_rules, out, required_date
from risk_warning.cli.exit_codes import ExitCode


def backtest(
    data: Annotated[Path, typer.Option(help="A directory of export files, as for scan.")],
    start: Annotated[str, typer.Option("--from", help="First night (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last night (YYYY-MM-DD).")],
    step: Annotated[str, typer.Option(help="day, week or month: the nights a schedule would have run.")] = "day",
    rules: RulesOpt = [Path("rulesets")],  # noqa: B006
    baseline: Annotated[
        list[Path] | None, typer.Option(help="The rules in production, to list the alerts added and removed.")
    ] = None,
    site: SiteOpt = None,
    calendar: CalendarOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Replay the nightly scans of a period on a scratch store (the production store is never touched): per
    rule and night the alerts that held and the new ones; against --baseline, the alerts added and removed."""
    from risk_warning.run.backtest import backtest as replay
    from risk_warning.run.backtest import nights
    from risk_warning.sources.directory import DirectorySource

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
    result = replay(rulesets, DirectorySource(data), first, last, step, baseline=before)  # type: ignore[arg-type]
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
