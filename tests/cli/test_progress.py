"""A scan's progress on a terminal is a bar per step; on a pipe, a line now and then."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from risk_warning import DirectorySource, load_rulesets, scan
from risk_warning.cli.progress import scan_progress
from risk_warning.store.repository import AlertStore

ROOT = Path(__file__).resolve().parents[2]


def scanned(console: Console, tmp_path: Path) -> str:
    from datetime import date

    store = AlertStore(f"sqlite:///{tmp_path / 'p.db'}")
    with scan_progress(console) as told:
        scan(load_rulesets([ROOT / "rulesets"]), DirectorySource(ROOT / "fixtures" / "demo"), date(2026, 6, 30),
             store=store, progress=told)  # fmt: skip
    store.close()
    return console.export_text()


def test_a_terminal_gets_a_bar_per_step(tmp_path: Path) -> None:
    text = scanned(Console(force_terminal=True, width=100, record=True, color_system=None), tmp_path)
    for step in ("export read", "spans of subjects evaluated", "results written"):  # buckets: a spilled export's
        line = [ln for ln in text.splitlines() if ln.startswith(step)][-1]  # as the bar last stood
        done, total = line.split()[-2].split("/")  # "━━━ 9/9 0:00:01"
        assert done == total and "━" in line, line


def test_a_pipe_gets_lines(tmp_path: Path) -> None:
    text = scanned(Console(force_terminal=False, width=100, record=True, color_system=None), tmp_path)
    assert "scan: 1/1 export read" in text and "scan: 1/1 results written" in text and "━" not in text
