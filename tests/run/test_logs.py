"""Log lines as text or JSON, each with the id of the scan it belongs to, identifiers masked; and a scan's own
lines, from the command with RW_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from risk_warning.run import logs

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_line_carries_its_scan_and_no_identifier(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    try:
        logs.configure(fmt)
        log = logging.getLogger("risk_warning.test")
        log.info("outside any scan")
        with logs.scan_context(41):
            log.info("cadre with 110101197203150038 and 13800138001")
        log.warning("told by hand", extra={"scan_id": 7})
    finally:
        root.handlers, root.level = before[0], before[1]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and "110101197203150038" not in lines[1] and "13800138001" not in lines[1]
    if fmt == "json":
        parsed = [json.loads(line) for line in lines]
        assert [p["scan_id"] for p in parsed] == [None, 41, 7]
        assert parsed[1]["message"] == "cadre with 110101********0038 and 138****8001"
        assert parsed[2]["level"] == "WARNING" and parsed[2]["logger"] == "risk_warning.test"
    else:
        assert "[scan #" not in lines[0] and "[scan #41] cadre with 110101********0038" in lines[1]
        assert "WARNING [scan #7] told by hand" in lines[2]
    assert logs.current_scan() is None


def test_a_scan_logs_json_lines_with_its_id(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'j.db'}"
    cmd = [sys.executable, "-m", "risk_warning", "scan", "--data", "demo", "--as-of", "2026-06-30", "--db", db]
    done = subprocess.run(
        [*cmd, "--max-quarantined", "0.2", "--workers", "0", "--format", "json"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "RW_LOG_FORMAT": "json"},
    )
    assert done.returncode == 0, done.stderr
    parsed = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    scan_id = json.loads(done.stdout)["scan_id"]
    assert parsed and {p["scan_id"] for p in parsed} == {scan_id}
    messages = [p["message"] for p in parsed]
    assert messages[0] == f"scan #{scan_id} as of 2026-06-30 started"
    assert any(m.startswith(f"scan #{scan_id} read 66 records from 16 files, 2 quarantined") for m in messages)
    assert any(m.endswith("spans of subjects evaluated") for m in messages)
    assert messages[-1].startswith(f"scan #{scan_id} as of 2026-06-30 written: 13 alerts, 13 new")
