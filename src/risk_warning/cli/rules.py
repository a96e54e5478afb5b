"""``risk-warning rules ...``: what the analysts' verdicts say of each rule."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from risk_warning.cli._common import (
    DEFAULT_DB,
    DbOpt,
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

app = typer.Typer(no_args_is_help=True, help="Rule quality from the analysts' verdicts.")


@app.command()
def quality(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")],
    db: DbOpt = DEFAULT_DB,
    rules: RulesOpt = None,
    site: SiteOpt = None,
    data: Annotated[Path | None, typer.Option(help="An export, to count cadres per unit for unit rates.")] = None,
    min_verdicts: Annotated[int, typer.Option(help="No verdict below this many (false positive or confirmed).")] = 10,
    keep_at: Annotated[float, typer.Option(help="keep when precision's 95% lower bound reaches this.")] = 0.5,
    retire_below: Annotated[float, typer.Option(help="retire when precision's 95% upper bound is below this.")] = 0.2,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Per rule over the period: alerts, triaged, false positives (with reasons), confirmed, precision with a
    95% interval and a verdict (keep / tune / retire); rules that never fired; alerts per 100 cadres per
    unit against the organisation's, flagged where improbably high."""
    from risk_warning.facts.personnel import Cadre
    from risk_warning.reports.quality import QualityThresholds, rule_quality
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.store.repository import AlertStore

    first, last = required_date(start, "--from"), required_date(end, "--to")
    if last < first:
        err.print(f"--to ({last}) is before --from ({first})", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    rulesets = load_rules(rules, site)
    cadres: Counter[str] | None = None
    if data is not None:
        facts = DirectorySource(data_dir(data)).load().facts
        cadres = Counter(f.org_unit_id for f in facts if isinstance(f, Cadre) and f.org_unit_id)
    limits = QualityThresholds(keep_at=keep_at, retire_below=retire_below, min_verdicts=min_verdicts)
    store = AlertStore(db, setup="existing")
    try:
        report = rule_quality(store, rulesets, first, last, cadres_by_unit=cadres, thresholds=limits)
    finally:
        store.close()
    if fmt == "json":
        out.print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(title=f"rule quality {first} .. {last}")
    for column in ("rule", "alerts", "triaged", "false +", "confirmed", "precision (95%)", "verdict", "top reason"):
        table.add_column(column)
    for q in report.rules:
        interval = (
            f"{q.precision:.2f} ({q.precision_low:.2f}-{q.precision_high:.2f})" if q.precision is not None else "-"
        )
        reason = max(q.false_positive_reasons, key=q.false_positive_reasons.__getitem__, default="")
        cells = [q.rule_id, q.alerts, q.triaged, q.false_positives, q.confirmed, interval, q.verdict or "-", reason]
        table.add_row(*map(str, cells))
    out.print(table)
    if report.never_fired:
        out.print(f"never fired ({len(report.never_fired)}): {', '.join(report.never_fired)}", markup=False)
    for unit in (u for u in report.units if u.flagged):
        out.print(
            f"unit {unit.org_unit_id}: {unit.per_100} alerts per 100 cadres against {report.alerts_per_100}: "
            "improbably high for its size; look at why before acting on them",
            markup=False,
        )
