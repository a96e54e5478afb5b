"""What a scan prints (cli/alert_lines.py): tonight's changes by default, each alert once with its id and
what happened to it; every alert with --all; Chinese headers; whole rule ids and messages at 80 columns."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.cli.alert_lines import changed_lines, held_lines, print_lines, show_lines

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])


def two_nights(tmp_path: Path) -> AlertStore:
    store = AlertStore(f"sqlite:///{tmp_path / 'nights.db'}")
    for night in (date(2026, 6, 30), date(2026, 7, 31)):
        scan(RULESETS, DirectorySource(ROOT / "fixtures" / "demo"), night, store=store)
    return store


def test_the_second_night_lists_what_changed_with_ids(tmp_path: Path) -> None:
    store = two_nights(tmp_path)
    first = changed_lines(store.scan_changes(1))
    assert len(first) == len(store.alerts()) - 0 and {ln.change for ln in first} == {"新增"}
    second = changed_lines(store.scan_changes(2))
    by_id = {a.id: a for a in store.alerts()}
    assert second and all(ln.alert_id in by_id for ln in second)
    assert {ln.change.split(" ")[0] for ln in second} <= {"新增", "再现", "升级", "降级", "解除", "停用", "销号"}
    cleared = [ln for ln in second if ln.change == "解除"]
    assert [by_id[ln.alert_id].status for ln in cleared] == ["cleared"] * len(cleared) and cleared
    raised = [ln for ln in second if ln.change.startswith("升级")]
    assert raised and all(by_id[ln.alert_id].grade == ln.grade.value for ln in raised)
    assert [ln.grade.rank for ln in second] == sorted((ln.grade.rank for ln in second), reverse=True)
    store.close()


def test_at_80_columns_each_alert_is_a_block_with_whole_rule_ids(tmp_path: Path) -> None:
    store = two_nights(tmp_path)
    lines = changed_lines(store.scan_changes(1))
    store.close()
    narrow = Console(width=80, record=True, color_system=None)
    print_lines(narrow, "title", lines)
    text = narrow.export_text()
    assert [line for line in text.splitlines() if narrow.measure(line).maximum > 80] == []
    for ln in lines:
        assert f"#{ln.alert_id} " in text and f"    {ln.rule}\n" in text
    wide = Console(width=160, record=True, color_system=None)
    print_lines(wide, "title", lines)
    shown = wide.export_text()  # (export_text empties the record: read it once)
    assert [h for h in ("编号", "等级", "变化", "对象", "单位", "规则", "预警内容", "处置建议") if h not in shown] == []


def test_the_command_prints_changes_by_default_and_everything_with_all(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [sys.executable, "-m", "risk_warning", "scan", "--data", "demo", "--db", db, "--workers", "0"]
    cmd += ["--max-quarantined", "0.2", "--format", "json"]
    first = subprocess.run([*cmd, "--as-of", "2026-06-30"], capture_output=True, text=True)
    second = subprocess.run([*cmd, "--as-of", "2026-07-31"], capture_output=True, text=True)
    assert first.returncode == second.returncode == 0, second.stderr
    changes = json.loads(second.stdout)["changes"]
    assert changes and len(changes) < len(json.loads(second.stdout)["alerts"])
    table = subprocess.run([*cmd[:-2], "--as-of", "2026-07-31", "--all"], capture_output=True, text=True)
    assert table.returncode == 0 and "全部" in table.stdout and "编号" in table.stdout


def test_tables_name_people_masked_and_units_by_name(tmp_path: Path) -> None:
    store = two_nights(tmp_path)
    alerts = store.alerts()
    names = {
        r["name"] for r in csv.DictReader(io.StringIO((ROOT / "fixtures" / "demo" / "cadre.csv").read_text("utf-8")))
    }
    by_subject = {a.subject_id: a for a in alerts}
    assert by_subject["C001"].subject_name == "张**" and by_subject["C001"].org_unit_name == "市财政局"
    for alert in alerts:  # every cadre alert carries a masked name, none an unmasked one
        assert alert.subject_name and alert.subject_name[1:] == "*" * (len(alert.subject_name) - 1)
        assert alert.subject_name not in names
    wide = Console(width=160, record=True, color_system=None)
    print_lines(wide, "title", held_lines(alerts, status=True), third="状态")
    text = wide.export_text()
    assert "C001 张**" in text and "市财政局" in text and "待研判" in text and "状态" in text
    assert not [n for n in names if len(n) > 1 and n in text]
    store.close()


def test_show_gives_evidence_education_dispositions_and_history(tmp_path: Path) -> None:
    store = two_nights(tmp_path)
    (alert,) = [a for a in store.alerts() if a.rule_id == "rotation.keypost-tenure" and a.subject_id == "C001"]
    assert alert.id is not None
    store.dispose(alert.id, "提醒谈话", date(2026, 8, 3), "市纪委监委", "审理室")
    lines = show_lines(store.alert(alert.id), store.history(alert.id), store.dispositions(alert.id), [])
    text = "\n".join(lines)
    assert lines[1] == "对象: C001 张** · 单位: 市财政局"
    assert "证据:\n  appointment:A001: cadre_id=C001, position_id=P01, start_date=2019-03-01" in text
    assert "最近一次廉政教育: 2025-05-10 警示教育" in text
    assert "处置: 2026-08-03 提醒谈话 (市纪委监委); 复查 " in text
    assert "scan #1: 新增 →待研判" in text and "审理室: " in text
    store.close()
