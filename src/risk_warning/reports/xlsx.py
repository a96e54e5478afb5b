"""The leaders' report as a workbook (openpyxl), for those who file or re-cut it in a spreadsheet: one sheet per
section, Chinese headers, a native bar chart of the grades, the same numbers as the HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from risk_warning.errors import ConfigError
from risk_warning.reports.leaders import GRADES, Count, LeadersReport


def write_xlsx(report: LeadersReport, path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.chart import BarChart, Reference
        from openpyxl.styles import Font
    except ImportError:
        raise ConfigError("the workbook needs openpyxl: pip install 'risk-warning[report]'") from None
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "总体情况"
    m = report.measures
    rows: list[tuple[str, Any]] = [
        ("报告", report.title),
        ("统计区间", f"{report.start.isoformat()} 至 {report.end.isoformat()}"),
        ("单位", report.unit_name or "全部"),
        ("本期新增预警", report.raised),
        *((f"{g.label}级", report.by_grade[g]) for g in GRADES),
        ("抓早抓小占比", m.early_resolution_share),
        ("期内化解", m.alerts_resolved),
        ("其中蓝、黄阶段化解", m.resolved_early),
        ("处置后复发率", m.repeat_rate),
        ("高风险岗位廉政教育覆盖率", m.education_coverage),
        ("研判用时中位数 (天)", m.median_days_to_triage),
        ("超期未处置", m.overdue_dispositions),
        ("函询逾期未回复", m.overdue_replies),
        ("逾期未复查", m.overdue_rechecks),
    ]
    for pair in rows:
        summary.append(pair)
    for cell in summary["B"]:
        if isinstance(cell.value, float) and cell.row in (9, 12, 13):
            cell.number_format = "0.0%"
    grades = book.create_sheet("按等级")
    grades.append(("等级", "预警数"))
    for g in GRADES:
        grades.append((g.label, report.by_grade[g]))
    chart = BarChart()
    chart.title, chart.y_axis.title = "本期预警按等级", "预警数"
    chart.add_data(Reference(grades, min_col=2, min_row=1, max_row=5), titles_from_data=True)
    chart.set_categories(Reference(grades, min_col=1, min_row=2, max_row=5))
    grades.add_chart(chart, "D2")
    _counts(book.create_sheet("按风险类别"), "风险类别", report.by_family)
    _counts(book.create_sheet("按单位"), "单位", report.by_unit)
    trend = book.create_sheet("趋势")
    trend.append(("扫描", "业务日期", "在办预警", "新增", "解除"))
    for p in report.trend:
        trend.append((p.scan_id, p.as_of, p.open, p.raised, p.cleared))
    dispositions = book.create_sheet("处置与复查")
    dispositions.append(("预警编号", "对象", "单位", "处置方式", "决定机关", "决定日期", "复查期限", "逾期"))
    for d in report.dispositions:
        row = (
            d.alert_id,
            d.subject,
            d.unit,
            d.type,
            d.decided_by,
            d.decided_on,
            d.recheck_due,
            "是" if d.overdue else "",
        )
        dispositions.append(row)
    alerts = book.create_sheet("预警清单")
    alerts.append(
        ("编号", "等级", "对象", "单位", "类别", "规则", "标题", "预警内容", "证据", "依据", "处置建议", "状态")
    )
    for a in report.alerts:
        evidence = "\n".join(a.evidence)
        alerts.append(
            (a.id, a.grade.label, a.subject, a.unit, a.family, a.rule_id, a.title, a.message, evidence, a.basis,
             a.disposition, a.status)
        )  # fmt: skip
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 60
    book.save(path)


def _counts(sheet: Any, what: str, counts: list[Count]) -> None:
    sheet.append((what, *(f"{g.label}级" for g in GRADES), "合计"))
    for c in counts:
        sheet.append((c.label, *(c.by_grade[g] for g in GRADES), c.total))
