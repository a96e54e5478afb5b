"""``risk-warning scans ...``: what each scan read, refused, held back and quarantined."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from risk_warning.cli._common import DEFAULT_DB, DbOpt, Format, FormatOpt, err, opened_store, out
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.privacy import scrub
from risk_warning.store.stored import StoredScan

app = typer.Typer(no_args_is_help=True, help="Scan runs: status, refusals, data quality per file.")


def _run(r: StoredScan) -> dict[str, Any]:
    return r.model_dump(mode="json")


@app.command("list")
def list_scans(db: DbOpt = DEFAULT_DB, fmt: FormatOpt = Format.TABLE) -> None:
    """Every scan: date, status, subjects, alerts, quarantined records, held subjects."""
    with opened_store(db) as store:
        runs = store.scans()
    if fmt == "json":
        out.print(json.dumps([_run(r) for r in runs], ensure_ascii=False, indent=2, default=str), markup=False)
        return
    table = Table(title="scans")
    for column in ("#", "as of", "status", "subjects", "alerts", "new", "cleared", "quarantined", "held"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            str(r.id),
            r.as_of.isoformat(),
            r.status,
            str(r.subjects),
            str(r.alerts),
            str(r.new_alerts),
            str(r.cleared_alerts),
            str(r.quarantined),
            str(r.held_subjects),
        )
    out.print(table)


@app.command("show")
def show_scan(
    scan_id: Annotated[int | None, typer.Argument(help="Scan number (default: the last scan).")] = None,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """One scan: why it was refused or what was accepted, and the data-quality account of every file."""
    with opened_store(db) as store:
        runs = store.scans()
        run = next((r for r in runs if r.id == scan_id), None) if scan_id is not None else (runs[-1] if runs else None)
        if run is None:
            err.print(f"no scan #{scan_id}" if scan_id is not None else "no scan yet", markup=False)
            raise typer.Exit(ExitCode.CONFIG)
        quarantined = store.quarantine(run.id)
    if fmt == "json":
        payload = {**_run(run), "quarantine": [q.model_dump(mode="json") for q in quarantined]}
        out.print(scrub(json.dumps(payload, ensure_ascii=False, indent=2, default=str)), markup=False)
        return
    out.print(f"scan #{run.id} as of {run.as_of.isoformat()}: {run.status}", markup=False)
    if run.input_problems:
        head = "refused because:" if run.status == "refused" else "problems in the input:"
        head = f"accepted by {run.accepted_by}:" if run.accepted_by else head
        out.print(head, markup=False)
        for line in run.input_problems:
            out.print(f"  {scrub(line)}", markup=False)
    if run.input_profile:
        types = run.input_profile.get("types", {})
        out.print(
            f"read {sum(types.values())} record(s) of {len(types)} fact type(s) naming "
            f"{run.input_profile.get('subjects', 0)} subject(s); {run.held_subjects} held back",
            markup=False,
        )
    table = Table(title="data quality")
    for column in ("file", "type", "read", "accepted", "quarantined", "by reason", "refused"):
        table.add_column(column, overflow="fold")
    for f in run.data_quality or []:
        reasons = ", ".join(f"{k} {v}" for k, v in f["reasons"].items())
        table.add_row(
            f["path"], f["fact_type"], str(f["read"]), str(f["accepted"]), str(f["quarantined"]), reasons, f["refused"]
        )
    out.print(table)
    for q in quarantined:
        where = ":".join(str(p) for p in (q.path, q.line, q.col) if p)
        out.print(scrub(f"  {where}: {q.reason}: {f'{q.field}: ' if q.field else ''}{q.message}"), markup=False)
