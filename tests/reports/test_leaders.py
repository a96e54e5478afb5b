"""The leaders' report over the closed-loop scenario (tests/store/test_closed_loop.py, as played by
tests/reports/test_metrics.py): its numbers are the metrics API's, its page is self-contained and names
nobody unmasked, its workbook holds the same figures, and the command writes either."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from risk_warning import AlertStore
from risk_warning.grade import Grade
from risk_warning.reports.html import render_html
from risk_warning.reports.leaders import LeadersReport, leaders_report
from risk_warning.reports.metrics import effectiveness
from risk_warning.reports.xlsx import write_xlsx
from tests.reports.test_metrics import hr_facts, play

START, END = date(2026, 7, 1), date(2026, 10, 31)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("leaders") / "loop.db"
    store = AlertStore(f"sqlite:///{db}")
    play(store)
    store.close()
    return db


def made(db: Path, unit: str | None = None, end: date = END) -> tuple[LeadersReport, AlertStore]:
    store = AlertStore(f"sqlite:///{db}", setup="existing")
    return leaders_report(store, START, end, unit=unit, facts=hr_facts()), store


@pytest.mark.parametrize("unit", [None, "U1", "U2"])
@pytest.mark.parametrize("end", [date(2026, 8, 31), END])
def test_the_numbers_are_the_metrics_apis(played: Path, unit: str | None, end: date) -> None:
    report, store = made(played, unit, end)
    measures = effectiveness(store, START, end, unit=unit, facts=hr_facts())
    assert report.measures == measures
    assert report.raised == measures.alerts_raised == len(report.alerts)
    assert sum(c.total for c in report.by_family) == sum(c.total for c in report.by_unit) == report.raised
    assert len(report.overdue_rechecks) == measures.overdue_rechecks
    alerts = {a.id: a for a in store.alerts()}
    for d in report.dispositions:  # open at the end: decided by then, not re-checked by then
        (stored,) = [s for s in store.dispositions() if s.alert_id == d.alert_id]
        assert stored.decided_on <= end and (stored.rechecked_on is None or stored.rechecked_on > end)
        assert unit is None or alerts[d.alert_id].org_unit_id == unit
    assert [p.as_of for p in report.trend] == [s.as_of for s in store.scans() if START <= s.as_of <= end]
    if unit is None:  # with every unit, a scan's raised and cleared are the scan's own counts
        runs = {s.id: s for s in store.scans()}
        assert [(p.raised, p.cleared) for p in report.trend if p.as_of == START] == [
            (runs[p.scan_id].new_alerts, runs[p.scan_id].cleared_alerts) for p in report.trend if p.as_of == START
        ]
    store.close()


def test_the_scenario_reads_as_worked_out(played: Path) -> None:
    """Ten alerts raised from July to October (test_metrics' nine, T's and K's repeats counted once, J5), the
    worst first; K's 诫勉 is the one disposition still open; W is the unit U2's."""
    report, store = made(played)
    assert report.by_grade == {Grade.RED: 3, Grade.ORANGE: 6, Grade.YELLOW: 1, Grade.BLUE: 0}
    assert [a.grade.rank for a in report.alerts] == sorted((a.grade.rank for a in report.alerts), reverse=True)
    assert [(d.subject, d.type, d.overdue) for d in report.dispositions] == [("K 测*", "诫勉", False)]
    assert {c.label for c in report.by_unit} == {"U1", "U2"}  # no org_unit records in the scenario: ids
    first = report.trend[0]
    assert (first.open, first.raised, first.cleared) == (8, 8, 0)
    store.close()


def test_the_page_is_self_contained_and_names_nobody_unmasked(played: Path) -> None:
    report, store = made(played)
    store.close()
    page = render_html(report)
    assert page.count("<svg") == 4 and "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r"""(src|href)=["']?https?:|url\(\s*["']?https?:|@import""", page)
    assert "测试" not in page and "测*" in page
    figures = re.findall(r'<div class="figure"><b[^>]*>([^<]+)</b><span>([^<]+)</span>', page)
    shown = {label: value for value, label in figures}
    assert shown["本期新增预警"] == "10" and shown["严重级"] == "3" and shown["逾期未复查"] == "0"
    m = report.measures
    assert shown[f"处置后复发率 ({m.repeats}/{m.dispositions})"] == f"{(m.repeat_rate or 0) * 100:.1f}%"
    assert "本期预警清单 (10 条)" in page and page.count('<td class="n">#') == 10 + len(report.dispositions)
    assert "另有" not in page
    short = render_html(report, list_limit=4)  # a province's year: the worst listed, the rest counted
    assert short.count('<td class="n">#') == 4 + len(report.dispositions) and "另有 6 条未列出" in short
    assert short.index(f"#{report.alerts[3].id}<") < short.index("另有 6 条")


def test_the_workbook_holds_the_same_figures(played: Path, tmp_path: Path) -> None:
    report, store = made(played)
    store.close()
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["总体情况", "按等级", "按风险类别", "按单位", "趋势", "处置与复查", "预警清单"]
    summary = {row[0]: row[1] for row in book.get_sheet_by_name("总体情况").to_python()}
    assert summary["本期新增预警"] == 10 and summary["严重级"] == 3
    assert summary["逾期未复查"] == report.measures.overdue_rechecks
    assert summary["处置后复发率"] == pytest.approx(report.measures.repeat_rate)
    rows = book.get_sheet_by_name("预警清单").to_python()
    assert len(rows) == 1 + 10 and not [r for r in rows if "测试" in "".join(map(str, r))]


def test_the_command_writes_a_page_or_a_workbook_and_refuses_other_files(played: Path, tmp_path: Path) -> None:
    def report(*args: str, db: Path = played) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "risk_warning", "report", "--from", "2026-07-01", "--to", "2026-10-31"]
        return subprocess.run([*cmd, "--db", f"sqlite:///{db}", *args], capture_output=True, text=True)

    done = report("--out", str(tmp_path / "r.html"), "--unit", "U2")
    assert done.returncode == 0, done.stderr
    assert "U2 廉政风险预警工作报告" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert done.stdout.startswith(f"{tmp_path / 'r.html'}: ")
    assert report("--out", str(tmp_path / "r.xlsx")).returncode == 0 and (tmp_path / "r.xlsx").stat().st_size
    wrong = report("--out", str(tmp_path / "r.pdf"))
    assert wrong.returncode == 2 and "give a file ending in .html or .xlsx" in wrong.stderr
    nowhere = report("--out", str(tmp_path / "missing" / "r.html"))
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr
    no_store = report("--out", str(tmp_path / "x.html"), db=tmp_path / "none.db")
    assert no_store.returncode == 6 and "Traceback" not in no_store.stderr
