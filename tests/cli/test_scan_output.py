"""What a scan prints (cli/scan_output.py): tonight's changes by default, each alert once with its id and
what happened to it; every alert with --all; Chinese headers; whole rule ids and messages at 80 columns."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.cli.scan_output import changed_lines, print_lines

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
