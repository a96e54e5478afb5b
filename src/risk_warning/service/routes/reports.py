"""Metrics and the leaders' report, over the caller's scope (the store filters what they are made of)."""

from __future__ import annotations

import enum
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from risk_warning.errors import ConfigError, StoreError
from risk_warning.reports.metrics import Effectiveness, effectiveness, effectiveness_by_unit
from risk_warning.service.state import CallerStore

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

From = Annotated[date, Query(alias="from", description="First day of the period")]
To = Annotated[date, Query(alias="to", description="Last day of the period")]
Unit = Annotated[str | None, Query(description="One org unit (default: every unit in the caller's scope)")]
Overdue = Annotated[int, Query(ge=1, le=3650, description="An alert nobody acted on for this long is overdue")]


class ReportFormat(enum.StrEnum):
    HTML = "html"
    XLSX = "xlsx"


def _period(start: date, end: date) -> None:
    if end < start:
        raise StoreError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")


@router.get("/metrics", response_model=list[Effectiveness], summary="Effectiveness over a period, by unit")
def metrics(
    store: CallerStore, start: From, end: To, unit: Unit = None, overdue_days: Overdue = 30
) -> list[Effectiveness]:
    _period(start, end)
    if unit is not None:
        return [effectiveness(store, start, end, unit=unit, overdue_days=overdue_days)]
    return effectiveness_by_unit(store, start, end, overdue_days=overdue_days)


@router.get(
    "/report",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, XLSX: {}}, "description": "The leaders' report"}},
    summary="The leaders' report (HTML page or workbook)",
)
def report(store: CallerStore, start: From, end: To, unit: Unit = None, overdue_days: Overdue = 30,
           format: ReportFormat = ReportFormat.HTML) -> Response:  # fmt: skip
    _period(start, end)
    try:
        from risk_warning.reports.html import render_html
        from risk_warning.reports.leaders import leaders_report
        from risk_warning.reports.xlsx import write_xlsx
    except ModuleNotFoundError as exc:
        raise ConfigError(f"the report needs {exc.name}: pip install 'risk-warning[report]'") from None
    made = leaders_report(store, start, end, unit=unit, overdue_days=overdue_days)
    name = f"report-{start.isoformat()}-{end.isoformat()}.{format.value}"
    store.audit_read(
        "report.export",
        subjects=[a.subject_id for a in made.alerts] + [d.subject_id for d in made.dispositions],
        alert_ids=[a.id for a in made.alerts] + [d.alert_id for d in made.dispositions],
        detail=f"{name} over HTTP: unit {unit or 'all'}",
    )
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == ReportFormat.HTML:
        return HTMLResponse(render_html(made, overdue_days=overdue_days))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write_xlsx(made, path)
        return Response(path.read_bytes(), media_type=XLSX, headers=disposition)
