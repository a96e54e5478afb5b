"""``risk-warning alerts ...``: read and move alerts along their lifecycle; JSON output everywhere."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from risk_warning.cli._common import (
    DEFAULT_DB,
    DbOpt,
    Format,
    FormatOpt,
    opened_store,
    option_date,
    out,
    required_date,
)
from risk_warning.cli.alert_lines import held_lines, print_lines, show_lines
from risk_warning.grade import Grade
from risk_warning.privacy import scrub
from risk_warning.store.repository import AlertFilter
from risk_warning.store.stored import AlertStatus, StoredAlert, StoredChange

app = typer.Typer(no_args_is_help=True, help="List, show and triage stored alerts.")

ByOpt = Annotated[str, typer.Option("--by", help="Who is doing this (recorded in the alert's history).")]


def _row(r: StoredAlert) -> dict[str, Any]:
    data = r.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in ("params",)}


def _said(where: AlertFilter) -> str:
    """A filter as the audit trail records it: ``grade=red status=new``."""
    return " ".join(f"{k}={v}" for k, v in vars(where).items() if v not in (None, False)) or "every alert"


def _history(h: StoredChange) -> dict[str, Any]:
    return h.model_dump(mode="json")


def _emit(payload: Any, fmt: str) -> None:
    out.print(scrub(json.dumps(payload, ensure_ascii=False, indent=2, default=str)), markup=False)


def _report(entry: Any, fmt: str, line: str) -> None:
    """A recorded entry: as JSON, or as one line for people."""
    if fmt == "json":
        _emit(entry.model_dump(mode="json"), fmt)
    else:
        out.print(line, markup=False)


@app.command("list")
def list_alerts(
    db: DbOpt = DEFAULT_DB,
    grade: Annotated[Grade | None, typer.Option(help="Only alerts at this grade.")] = None,
    family: Annotated[str | None, typer.Option(help="risk family, e.g. rotation")] = None,
    unit: Annotated[str | None, typer.Option(help="org unit id of the subject")] = None,
    status: Annotated[AlertStatus | None, typer.Option(help="Only alerts in this status.")] = None,
    subject: Annotated[str | None, typer.Option(help="subject (cadre) id")] = None,
    since: Annotated[str | None, typer.Option(help="last seen on or after (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="first seen on or before (YYYY-MM-DD)")] = None,
    include_suppressed: Annotated[bool, typer.Option(help="also show suppressed alerts")] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List stored alerts, highest grade first."""
    where = AlertFilter(
        grade.value if grade else None,
        family,
        unit,
        status.value if status else None,
        subject,
        option_date(since, "--since"),
        option_date(until, "--until"),
        include_suppressed,
    )
    with opened_store(db) as store:
        rows = store.alerts(where)
        store.audit_read(
            "alerts.read", subjects=[r.subject_id for r in rows], alert_ids=[r.id for r in rows], detail=_said(where)
        )
    if fmt == "json":
        order = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
        rows.sort(key=lambda r: (order.get(r.grade, 9), r.subject_id, r.rule_id))
        _emit([_row(r) for r in rows], fmt)
        return
    print_lines(out, f"{len(rows)} 条预警", held_lines(rows, status=True), third="状态")


@app.command()
def show(alert_id: int, db: DbOpt = DEFAULT_DB, fmt: FormatOpt = Format.TABLE) -> None:
    """One alert with its evidence, education context and full history."""
    with opened_store(db) as store:
        row = store.alert(alert_id)
        store.audit_read("alert.read", subjects=[row.subject_id], alert_ids=[alert_id])
        history = store.history(alert_id)
        dispositions = store.dispositions(alert_id)
        assignments = store.assignments(alert_id)
    payload = {
        **_row(row),
        "history": [_history(h) for h in history],
        "dispositions": [d.model_dump(mode="json") for d in dispositions],
        "education_assignments": [e.model_dump(mode="json") for e in assignments],
    }
    if fmt == "json":
        _emit(payload, fmt)
        return
    for line in show_lines(row, history, dispositions, assignments):
        out.print(scrub(line), markup=False)


def _move(alert_id: int, to: AlertStatus, by: str, reason: str, db: str | None, fmt: str) -> None:
    with opened_store(db) as store:
        row = store.transition(alert_id, to, by, reason)
    if fmt == "json":
        _emit(_row(row), fmt)
    else:
        out.print(f"#{row.id} is now {row.status}")


@app.command()
def triage(alert_id: int, by: ByOpt, note: str = "", db: DbOpt = DEFAULT_DB, fmt: FormatOpt = Format.TABLE) -> None:
    """Mark an alert as triaged (data checked, to be handled)."""
    _move(alert_id, AlertStatus.TRIAGED, by, note, db, fmt)


@app.command("false-positive")
def false_positive(
    alert_id: int,
    by: ByOpt,
    reason: Annotated[str, typer.Option(help="Why the alert is wrong.")],
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Mark an alert as a false positive, with the reason."""
    _move(alert_id, AlertStatus.FALSE_POSITIVE, by, reason, db, fmt)


@app.command()
def suppress(
    subject: Annotated[str, typer.Option(help="subject (cadre) id")],
    until: Annotated[str, typer.Option(help="suppressed through this date (YYYY-MM-DD)")],
    reason: Annotated[str, typer.Option(help="why")],
    by: ByOpt,
    rule: Annotated[str | None, typer.Option(help="only this rule (default: every rule)")] = None,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Suppress a subject's alerts (or one rule's) until a date; alerts are kept and still recorded."""
    day = required_date(until, "--until")
    with opened_store(db) as store:
        sid = store.suppress(subject, day, reason, by, rule)
    if fmt == "json":
        _emit({"suppression_id": sid, "subject_id": subject, "rule_id": rule, "until": day.isoformat()}, fmt)
    else:
        out.print(f"suppression #{sid}: {subject} {rule or '(all rules)'} until {day.isoformat()}")


@app.command()
def dispose(
    alert_id: int,
    intervention: Annotated[
        str, typer.Option("--type", help="提醒谈话, 谈话提醒, 批评教育, 函询, 诫勉, 责令检查, ...")
    ],
    on: Annotated[str, typer.Option(help="date decided (YYYY-MM-DD)")],
    decided_by: Annotated[str, typer.Option(help="the deciding body, e.g. 市纪委监委")],
    by: ByOpt,
    reply_due: Annotated[str | None, typer.Option(help="for 函询: written reply due (YYYY-MM-DD)")] = None,
    recheck_due: Annotated[str | None, typer.Option(help="default: 6 months after 诫勉, else 90 days")] = None,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Record the intervention decided on an alert (处置); the alert moves to in_disposition."""
    day = required_date(on, "--on")
    with opened_store(db) as store:
        entry = store.dispose(
            alert_id,
            intervention,
            day,
            decided_by,
            by,
            reply_due=option_date(reply_due, "--reply-due"),
            recheck_due=option_date(recheck_due, "--recheck-due"),
        )
    _report(entry, fmt, f"disposition #{entry.id}: {entry.type} on alert #{alert_id}, re-check {entry.recheck_due}")


@app.command()
def reply(
    disposition_id: int,
    received: Annotated[str, typer.Option(help="date the reply was received (YYYY-MM-DD)")],
    truthful: Annotated[bool, typer.Option("--truthful/--untruthful", help="was the reply truthful")],
    by: ByOpt,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Record the reply to a 函询 and whether it was truthful."""
    day = required_date(received, "--received")
    with opened_store(db) as store:
        entry = store.record_reply(disposition_id, day, truthful, by)
    verdict = "truthful" if truthful else "not truthful"
    _report(entry, fmt, f"disposition #{entry.id}: reply {entry.replied_at}, {verdict}")


@app.command()
def educate(
    alert_id: int,
    on: Annotated[str, typer.Option(help="date assigned (YYYY-MM-DD)")],
    due: Annotated[str, typer.Option(help="to be completed by (YYYY-MM-DD)")],
    by: ByOpt,
    topic: Annotated[str | None, typer.Option(help="default: the education the alert recommends")] = None,
    kind: Annotated[str, typer.Option("--type", help="警示教育, 廉政党课, 专题培训, ...")] = "警示教育",
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Assign targeted education on an alert; the alert then shows it as outstanding until completed."""
    day, until = required_date(on, "--on"), required_date(due, "--due")
    with opened_store(db) as store:
        entry = store.assign_education(alert_id, day, until, by, topic=topic, kind=kind)
    _report(entry, fmt, f"assignment #{entry.id}: {entry.topic} on alert #{alert_id}, due {entry.due}")


@app.command()
def educated(
    assignment_id: int,
    on: Annotated[str, typer.Option(help="date completed (YYYY-MM-DD)")],
    hours: Annotated[float, typer.Option(help="hours of education")],
    by: ByOpt,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Record that assigned education was completed (it counts at the alert's re-check)."""
    day = required_date(on, "--on")
    with opened_store(db) as store:
        entry = store.complete_education(assignment_id, day, hours, by)
    _report(entry, fmt, f"assignment #{entry.id}: completed {entry.completed_on}, {entry.hours:g} h")
