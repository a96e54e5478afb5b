"""The leaders' report as one self-contained HTML page: inline CSS and inline SVG charts, no script, nothing
fetched at view time; prints on A4."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from risk_warning.bundled import package_version
from risk_warning.reports.charts import grade_chart, stacked_chart, trend_chart
from risk_warning.reports.leaders import GRADES, LeadersReport

LIST_LIMIT = 500  # alerts listed on the page, the worst first; the workbook lists every one


def render_html(report: LeadersReport, *, overdue_days: int = 30, list_limit: int = LIST_LIMIT) -> str:
    """The page; a province's year can raise tens of thousands of alerts, so the list stops at ``list_limit``
    (the worst first) and says how many more the workbook holds."""
    environment = Environment(
        loader=PackageLoader("risk_warning.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    charts = {
        "grade": grade_chart(report.by_grade),
        "trend": trend_chart(report.trend),
        "family": stacked_chart(report.by_family, "按风险类别"),
        "unit": stacked_chart(report.by_unit, "按单位"),
    }
    return environment.get_template("leaders.html").render(
        r=report,
        m=report.measures,
        grades=GRADES,
        charts=charts,
        overdue_days=overdue_days,
        list_limit=list_limit,
        pct=_percent,
        days=_days,
        version=package_version(),
    )


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g} 天"
