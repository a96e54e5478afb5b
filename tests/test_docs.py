"""The examples in README.md and docs/ run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from risk_warning import load_ruleset
from risk_warning.testing.ruletests import run_rule_tests

ROOT = Path(__file__).resolve().parents[1]


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_readme_embedding_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = blocks(ROOT / "README.md", "python")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "警示 | c1 | 重点岗位任职满期未轮岗" in capsys.readouterr().out


@pytest.mark.parametrize("doc", ["README.md", "docs/rule-language.md"])
def test_yaml_examples_load_and_their_tests_pass(doc: str, tmp_path: Path) -> None:
    found = [b for b in blocks(ROOT / doc, "yaml") if b.startswith("ruleset:")]
    assert found
    for i, text in enumerate(found):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(text, encoding="utf-8")
        report = run_rule_tests([load_ruleset(path)])
        assert report.outcomes and report.passed, [o for o in report.outcomes if not o.passed]


def test_facts_reference_is_up_to_date() -> None:
    from risk_warning.facts.reference import render_facts_reference

    assert (ROOT / "docs" / "facts.md").read_text(encoding="utf-8") == render_facts_reference() + "\n"


def test_rulesets_reference_is_up_to_date_and_every_missing_rule_says_why() -> None:
    from risk_warning.rules.loader import load_rulesets
    from risk_warning.rules.reference import CATALOGUE, COMBINATIONS, WAITING, render_rulesets_reference

    rulesets = load_rulesets([ROOT / "rulesets"])
    assert (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8") == render_rulesets_reference(rulesets) + "\n"
    shipped = {r.spec.catalogue for rs in rulesets for r in rs.rules if r.spec.catalogue}
    assert shipped <= set(CATALOGUE) | set(COMBINATIONS)
    assert set(CATALOGUE) - shipped == set(WAITING)  # a reason for each rule not shipped, none for a shipped one


def test_readme_mapping_example_loads_an_xlsx_export_with_chinese_headers(tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    from risk_warning import Engine, load_rulesets
    from risk_warning.sources import DirectorySource, load_mapping

    (text,) = [b for b in blocks(ROOT / "README.md", "yaml") if b.startswith("# site-mapping.yaml")]
    (tmp_path / "site-mapping.yaml").write_text(text, encoding="utf-8")
    export = tmp_path / "hr-export"
    export.mkdir()
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheets = {
        "干部信息": [["序号", "人员代码", "姓名", "性别", "政治面貌"], [1, "c1", "王建国", "1", "01"]],
        "任免记录": [["任职记录编号", "人员代码", "岗位代码", "任职时间"], ["A1", "c1", "p1", "2019.03"]],
        "岗位": [["岗位代码", "职位名称", "岗位类别", "风险等级", "备注"], ["p1", "财务科科长", "财务", "高", ""]],
    }
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(export / "干部监督数据.xlsx")
    loaded = DirectorySource(export, mapping=load_mapping(tmp_path / "site-mapping.yaml")).load()
    assert not loaded.quarantined and [f.accepted for f in loaded.files] == [1, 1, 1]
    with Engine(load_rulesets([ROOT / "rulesets"])) as engine:
        alerts = engine.evaluate(loaded.facts, as_of=date(2026, 6, 30))
    assert ("rotation.keypost-tenure", "c1") in {(a.rule_id, a.subject_id) for a in alerts}


def test_the_calendar_example_loads_and_says_what_the_page_says(tmp_path: Path) -> None:
    """docs/rule-language.md, Calendars: the site calendar file shown, loaded; the worked examples checked."""
    from datetime import date

    from risk_warning.facts.normalise import day_number
    from risk_warning.rules.calendar_file import load_calendar
    from risk_warning.rules.workdays import BUILT_IN_CALENDAR

    (text,) = [b for b in blocks(ROOT / "docs" / "rule-language.md", "yaml") if b.startswith("# 2027 工作日历")]
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    calendar = load_calendar(path)
    assert not calendar.is_workday(day_number(date(2027, 2, 8)))
    assert calendar.is_workday(day_number(date(2027, 2, 14)))
    sent = day_number(date(2026, 5, 29))
    assert BUILT_IN_CALENDAR.add_workdays(sent, 15) == day_number(date(2026, 6, 22))
    monday = day_number(date(2026, 6, 1))
    assert BUILT_IN_CALENDAR.workdays_between(monday, monday + 4) == 5


def test_the_subject_kinds_table_matches_the_fact_models() -> None:
    from risk_warning.facts.registry import FACT_MODELS

    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    table = text.split("<!-- subject-kinds -->\n", 1)[1].split("\n<!-- /subject-kinds -->", 1)[0]

    def cell(row: str, n: int) -> set[str]:
        return {c.strip(" `") for c in row.split("|")[n].split(",")} - {"", "none"}

    rows = table.splitlines()[2:]
    shown = {row.split("|")[1].strip(): (cell(row, 2), cell(row, 3)) for row in rows}
    for kind, (own, linked) in shown.items():
        assert own == {n for n, m in FACT_MODELS.items() if kind in m.subject_kinds()}, kind
        assert linked == {n for n, m in FACT_MODELS.items() if kind in m.visible_kinds()} - own, kind
    assert set(shown) == {k for m in FACT_MODELS.values() for k in m.visible_kinds()}


def test_the_analysts_guide_runs_as_written(tmp_path: Path) -> None:
    """docs/analysts-guide.md: its files saved under the names it gives, its commands run in order, each exit 0."""
    import shlex
    import subprocess
    import sys

    guide = ROOT / "docs" / "analysts-guide.md"
    (rules_yaml,) = [b for b in blocks(guide, "yaml") if b.startswith("ruleset:")]
    (site_yaml,) = [b for b in blocks(guide, "yaml") if b.startswith("params:")]
    (tmp_path / "my-rules.yaml").write_text(rules_yaml, encoding="utf-8")
    (tmp_path / "site.yaml").write_text(site_yaml, encoding="utf-8")
    (expect_yaml,) = [b for b in blocks(guide, "yaml") if b.startswith("data_sets:")]
    (tmp_path / "my-rules.expect.yaml").write_text(expect_yaml, encoding="utf-8")
    (tmp_path / "rulesets").symlink_to(ROOT / "rulesets")
    commands = [line for block in blocks(guide, "sh") for line in block.splitlines() if line.strip()]
    assert len(commands) >= 12
    outputs = {}
    for line in commands:
        words = shlex.split(line)
        assert words[0] == "risk-warning", line
        done = subprocess.run(
            [sys.executable, "-m", "risk_warning", *words[1:]], cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, (line, done.stdout[-1500:], done.stderr[-1500:])
        outputs[words[1]] = done.stdout
    assert "rotation.keypost-tenure" in outputs["explain"]
    assert "3 met, 0 not met" in outputs["backtest"] and (tmp_path / "build" / "backtest.xml").exists()
    assert "rule quality 2026-06-01 .. 2026-07-31" in outputs["rules"] and "never fired" in outputs["rules"]
