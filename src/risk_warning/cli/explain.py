"""``risk-warning explain``: why each rule fired, or did not, for one subject of an export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
from risk_warning.errors import MappingError, did_you_mean, listed
from risk_warning.privacy import scrub

if TYPE_CHECKING:
    from risk_warning.evaluate.explain import Explanation, RuleReport


def explain(
    as_of: Annotated[str, typer.Option("--as-of", help="Explain as of this date (YYYY-MM-DD).")],
    subject: Annotated[str, typer.Option(help="A cadre id, or unit:U01, project:P9, contract:HT-3.")],
    data: Annotated[
        Path | None, typer.Option(help="A directory of export files, as for scan [default: the settings' data]")
    ] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    rules: RulesOpt = None,
    site: SiteOpt = None,
    calendar: CalendarOpt = None,
    mapping: Annotated[Path | None, typer.Option(help="A site mapping file, as for scan.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Why each rule fired or did not for one subject: per pattern the facts that matched and, for each
    that did not, the first condition it failed with the values compared; the level conditions; the
    indicators. Personal fields masked. Exit 2 when the subject or the rule is unknown."""
    from risk_warning.evaluate.subject import Engine
    from risk_warning.sources.directory import DirectorySource

    day = required_date(as_of, "--as-of")
    rulesets = load_rules(rules, site, calendar)
    if rule is not None and not any(r.id == rule for rs in rulesets for r in rs.rules):
        ids = sorted(r.id for rs in rulesets for r in rs.rules)
        hint = did_you_mean(rule, ids) or f"rules: {listed(ids)}"
        err.print(f"no rule {rule!r} in the rules given ({hint})", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    try:
        facts = DirectorySource(data_dir(data), mapping=mapping).load().facts
    except MappingError as exc:
        for d in exc.diagnostics:
            err.print(scrub(str(d)), markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None
    with Engine(rulesets) as engine:
        try:
            found = engine.explain(facts, day, subject, rule)
        except KeyError:
            err.print(f"no fact in {data} belongs to {subject!r}: check the id (units are unit:<id>)", markup=False)
            raise typer.Exit(ExitCode.CONFIG) from None
    if fmt == "json":
        out.print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2), markup=False)
        return
    _print(found)


def _print(found: Explanation) -> None:
    out.print(f"{found.subject} as of {found.as_of}", markup=False)
    for line in found.alerts:
        out.print(f"  alert  {line}", markup=False)
    for line in found.raises:
        out.print(f"  raised {line}", markup=False)
    if found.indicators:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(found.indicators.items()))
        out.print(f"  indicators: {shown}", markup=False)
    for report in sorted(found.rules, key=lambda r: (not r.fired, r.rule_id)):
        _print_rule(report)


def _print_rule(report: RuleReport) -> None:
    mark = "FIRED" if report.fired else "no   "
    out.print(f"\n{mark} {report.rule_id}  {report.title}: {report.why}", markup=False)
    for p in report.patterns:
        head = f"  {p.alias}: {'none ' if p.negated else ''}{p.fact_type}"
        cond = f" where {p.condition}" if p.condition else ""
        label = "in the way" if p.negated else "matched"
        out.print(f"{head}{cond}  [{len(p.matched)} {label} of {p.candidates}]", markup=False)
        for key in p.matched[:5]:
            out.print(f"      {label}: {key}", markup=False)
        for key, failed in p.near_misses[:5]:
            values = ", ".join(f"{k}={v}" for k, v in failed.values.items())
            out.print(f"      {key} failed `{failed.condition}` ({values})", markup=False)
    for level in report.levels:
        holds = "holds" if level.holds else "does not hold"
        out.print(f"  level {level.grade}: {level.condition or 'always'} -> {holds}", markup=False)
