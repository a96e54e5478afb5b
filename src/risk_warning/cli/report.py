"""``risk-warning report``: the leaders' report of a period, as one HTML page or a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from risk_warning.cli._common import DEFAULT_DB, DbOpt, data_dir, err, opened_store, out, required_date
from risk_warning.cli.exit_codes import ExitCode

SUFFIXES = (".html", ".xlsx")


def report(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")],
    output: Annotated[Path, typer.Option("--out", help="report.html (one self-contained page) or report.xlsx.")],
    db: DbOpt = DEFAULT_DB,
    unit: Annotated[str | None, typer.Option(help="One org unit's report (default: every unit).")] = None,
    data: Annotated[
        Path | None, typer.Option(help="HR data directory, for the education coverage of high-risk posts.")
    ] = None,
    overdue_days: Annotated[int, typer.Option(help="An alert nobody acted on for this long is overdue.")] = 30,
) -> None:
    """The leaders' report: the period's alerts by grade, family and unit, the trend over scans, 抓早抓小 and
    the other measures, open dispositions and overdue re-checks, and the alert list with evidence (names
    masked)."""
    from risk_warning.reports.leaders import leaders_report
    from risk_warning.sources.directory import DirectorySource

    first, last = required_date(start, "--from"), required_date(end, "--to")
    if last < first:
        err.print(f"--to {end} is before --from {start}", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    if output.suffix.lower() not in SUFFIXES:
        err.print(f"--out {output}: give a file ending in .html or .xlsx", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    if not output.parent.is_dir():
        err.print(f"--out {output}: the folder {output.parent} does not exist", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    facts = DirectorySource(data_dir(data)).load().facts if data is not None else None
    with opened_store(db) as store:
        made = leaders_report(store, first, last, unit=unit, facts=facts, overdue_days=overdue_days)
        store.audit_read(
            "report.export",
            subjects=[a.subject_id for a in made.alerts] + [d.subject_id for d in made.dispositions],
            alert_ids=[a.id for a in made.alerts] + [d.alert_id for d in made.dispositions],
            detail=f"{output.name}: {first.isoformat()} .. {last.isoformat()}, unit {unit or 'all'}",
        )
    if unit is not None and not made.alerts and not made.dispositions and not made.measures.alerts_resolved:
        err.print(f"note: unit {unit} has no alerts in the store; the report is empty", markup=False)
    if output.suffix.lower() == ".html":
        from risk_warning.reports.html import render_html

        output.write_text(render_html(made, overdue_days=overdue_days), encoding="utf-8")
    else:
        from risk_warning.reports.xlsx import write_xlsx

        write_xlsx(made, output)
    out.print(
        f"{output}: {made.raised} alerts raised ({', '.join(f'{g.label} {n}' for g, n in made.by_grade.items())}), "
        f"{len(made.dispositions)} dispositions open, {len(made.overdue_rechecks)} re-checks overdue",
        markup=False,
    )
