"""The shipped rulesets and demo export are found by name from any directory; a path that exists wins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from risk_warning import load_rulesets
from risk_warning.bundled import DEMO, RULESETS, data_path, rules_path, ruleset_names

ROOT = Path(__file__).resolve().parents[1]


def test_names_resolve_to_the_package_and_a_path_that_exists_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert ruleset_names() == ["core"]
    assert rules_path("core") == RULESETS / "core" and data_path("demo") == DEMO
    assert rules_path("nosuch") == Path("nosuch") and rules_path("x/core") == Path("x/core")
    assert len(load_rulesets(["core"])) == len(load_rulesets([ROOT / "rulesets"])) > 10
    (tmp_path / "core").mkdir()
    (tmp_path / "demo").mkdir()
    assert rules_path("core") == Path("core") and data_path("demo") == Path("demo")
    # in the repository the old paths are links to the shipped folders
    assert (ROOT / "rulesets").resolve() == RULESETS and (ROOT / "fixtures" / "demo").resolve() == DEMO


def test_the_commands_use_the_names_from_an_empty_folder_and_list_them_when_one_is_wrong(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=tmp_path
        )

    assert run("validate", "core").returncode == 0
    bad = run("validate", "cor")
    assert bad.returncode == 2 and "no such file or directory: cor (shipped rulesets, by name: core)" in bad.stderr
    missing = run("metrics", "--from", "2026-01-01", "--to", "2026-06-30", "--data", "nosuch")
    assert missing.returncode == 2 and "--data nosuch: no such directory" in missing.stderr
    assert not (tmp_path / "risk_warning.db").exists()
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("risk-warning ")
    assert "Usage: risk-warning" in run("-h").stdout
