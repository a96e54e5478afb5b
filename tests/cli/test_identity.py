"""The command line acts as an identity (RW_IDENTITY, RW_ROLE, RW_UNITS): a viewer of one unit lists that
unit's alerts only, an alert elsewhere does not exist for it, and what its role does not allow exits 8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from risk_warning.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def test_a_viewer_of_one_unit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'id.db'}"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "risk_warning", *args, "--db", db]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env})

    demo = ("--data", "demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2")
    assert run("scan", *demo).returncode == ExitCode.OK
    everything = json.loads(run("alerts", "list", "--format", "json").stdout)
    viewer = {"RW_IDENTITY": "住建局监督员", "RW_ROLE": "viewer", "RW_UNITS": '["U02"]'}
    seen = json.loads(run("alerts", "list", "--format", "json", **viewer).stdout)
    assert [a["id"] for a in seen] == [a["id"] for a in everything if a["org_unit_id"] == "U02"] and seen
    elsewhere = next(a["id"] for a in everything if a["org_unit_id"] == "U01")
    shown = run("alerts", "show", str(elsewhere), **viewer)
    assert shown.returncode == ExitCode.CONFIG and shown.stderr.strip() == f"no alert #{elsewhere}"
    triage = run("alerts", "triage", str(seen[0]["id"]), "--by", "监督员", **viewer)
    assert triage.returncode == ExitCode.NOT_PERMITTED and "needs the triager role" in triage.stderr
    assert run("audit", **viewer).returncode == ExitCode.NOT_PERMITTED
    assert run("scan", *demo, **viewer).returncode == ExitCode.NOT_PERMITTED
    trail = json.loads(run("audit", "--identity", "住建局监督员", "--format", "json").stdout)
    assert [r["action"] for r in trail] == ["alerts.read"]  # refusals change nothing and read nothing
