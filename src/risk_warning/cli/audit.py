"""``risk-warning audit``: who did or read what, when, about whom, from where (the append-only audit trail)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from risk_warning.cli._common import DEFAULT_DB, DbOpt, Format, FormatOpt, opened_store, option_date, out
from risk_warning.privacy import scrub


def audit(
    db: DbOpt = DEFAULT_DB,
    identity: Annotated[str | None, typer.Option(help="Only what this identity did or read.")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action: alerts.read, alert.read, alert.triaged, report.export ...")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="Only records about this subject (cadre id).")] = None,
    since: Annotated[str | None, typer.Option(help="On or after this day (YYYY-MM-DD, UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="On or before this day (YYYY-MM-DD, UTC).")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List the audit trail, oldest first: every lifecycle change, scan, read of alerts and export."""
    from risk_warning.store.repository import AuditFilter

    where = AuditFilter(identity, action, subject, option_date(since, "--since"), option_date(until, "--until"))
    with opened_store(db) as store:
        rows = store.audit_log(where)
        said = " ".join(f"{k}={v}" for k, v in vars(where).items() if v is not None) or "everything"
        store.audit_read("audit.read", detail=said)  # who looked at who looked: recorded too
    if fmt == "json":
        payload = [r.model_dump(mode="json") for r in rows]
        out.print(scrub(json.dumps(payload, ensure_ascii=False, indent=2)), markup=False)
        return
    table = Table(title=f"审计记录 {len(rows)} 条")
    for column in ("时间 (UTC)", "身份", "经办人", "操作", "对象", "预警", "说明", "来源"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            r.identity,
            r.actor,
            r.action,
            _few(r.subjects),
            _few([f"#{i}" for i in r.alert_ids]),
            scrub(r.detail),
            r.origin,
        )
    out.print(table)


def _few(items: list[str], most: int = 5) -> str:
    shown = ", ".join(items[:most])
    return f"{shown} (+{len(items) - most})" if len(items) > most else shown
