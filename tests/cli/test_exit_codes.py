"""Every documented exit code, produced by the real command, and the documentation agrees with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from risk_warning.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_the_documented_table_is_the_enum() -> None:
    text = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    rows = dict.fromkeys(re.findall(r"^\| (\d) \| (\w+) \|", text, flags=re.MULTILINE))
    assert [(int(code), name) for code, name in rows] == [(c.value, c.name) for c in ExitCode]


def test_each_outcome_of_a_scan_has_its_code(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'codes.db'}"
    demo = ["--data", "fixtures/demo", "--db", db, "--workers", "0"]
    first = run("scan", *demo, "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--fail-on", "red")
    assert first.returncode == ExitCode.FINDINGS, first.stderr  # the demo has red alerts
    assert run("scan", *demo, "--as-of", "2026-06-30", "--max-quarantined", "0.2").returncode == ExitCode.OK

    over = run("scan", *demo, "--as-of", "2026-07-01")  # the demo's bad records, 1 in 7: over 1%, subjects held
    assert over.returncode == ExitCode.DATA_ERRORS and "quarantined beyond the limit" in over.stderr

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "cadre.csv").write_text("cadre_id,nmae\nc1,x\n", encoding="utf-8")
    data_errors = run("scan", "--data", str(broken), "--db", db, "--as-of", "2026-07-02")
    assert data_errors.returncode == ExitCode.DATA_ERRORS
    assert "REFUSED (data errors); no alert was changed" in data_errors.stderr and "'nmae'" in data_errors.stderr

    (tmp_path / "empty").mkdir()
    empty = run("scan", "--data", str(tmp_path / "empty"), "--db", db, "--as-of", "2026-07-01")
    assert empty.returncode == ExitCode.REFUSED and "no input at all" in empty.stderr
    assert "--accept-drop" in empty.stderr

    shown = run("scans", "show", "--db", db)
    assert shown.returncode == 0 and "refused" in shown.stdout and "no input at all" in shown.stdout

    bad_mapping = tmp_path / "map.yaml"
    bad_mapping.write_text("files: {任免: apointment}\n", encoding="utf-8")
    config = run("scan", *demo, "--as-of", "2026-07-01", "--mapping", str(bad_mapping))
    assert config.returncode == ExitCode.CONFIG and "map.yaml:1:13: unknown-fact-type" in config.stderr
    assert run("scan", *demo, "--as-of", "2026-07-01", "--fail-on", "purple").returncode == ExitCode.CONFIG


def test_a_held_lease_has_its_code(tmp_path: Path) -> None:
    from datetime import timedelta

    from risk_warning import AlertStore

    db = f"sqlite:///{tmp_path / 'lease.db'}"
    store = AlertStore(db)
    store.acquire_lease("elsewhere:1:abc", timedelta(minutes=5))
    store.close()
    held = run("scan", "--data", "fixtures/demo", "--db", db, "--as-of", "2026-06-30")
    assert held.returncode == ExitCode.LEASE_HELD and "elsewhere:1:abc" in held.stderr


def test_a_setting_read_late_in_any_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    """The token key is read only when an export has a sensitive column: backtest and explain meet it deep
    inside a scan, and still answer with the configuration error and its code."""
    import os

    from risk_warning import load_rulesets
    from risk_warning.testing.synthetic import generate

    generate(load_rulesets([ROOT / "rulesets"]), tmp_path, cadres=5, seed=3)
    env = {k: v for k, v in os.environ.items() if k != "RW_TOKEN_KEY"}
    for args in (
        ["backtest", "--data", str(tmp_path), "--from", "2026-06-30", "--to", "2026-06-30"],
        ["explain", "--data", str(tmp_path), "--as-of", "2026-06-30", "--subject", "C0000001"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=ROOT, env=env
        )
        assert done.returncode == ExitCode.CONFIG, (args[0], done.stderr[-2000:])
        assert "RW_TOKEN_KEY is not set" in done.stderr and "Traceback" not in done.stderr


def test_choice_options_are_checked_by_the_command_line(tmp_path: Path) -> None:
    """A grade, a status or a format that does not exist is refused with the choices, exit 2, before any work."""
    db = ["--db", f"sqlite:///{tmp_path / 'none.db'}"]
    for option, value, listed in (
        ("--grade", "purple", "'blue', 'yellow', 'orange', 'red'"),
        ("--status", "nonsense", "'new'"),
        ("--format", "yaml", "'table', 'json'"),
    ):
        done = run("alerts", "list", *db, option, value)
        assert done.returncode == ExitCode.CONFIG, (option, done.stderr)
        said = " ".join(re.sub("[│╭╮╰╯─]", " ", done.stderr).split())  # the error box's lines joined
        assert f"'{value}' is not one of" in said and listed in said
    assert not (tmp_path / "none.db").exists()


def test_an_unexpected_error_is_one_line_saying_it_is_a_bug_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from risk_warning.cli import app as cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the impossible happened for 110101199003071234")

    monkeypatch.setattr(cli, "load_rules", broken)
    monkeypatch.setattr(sys, "argv", ["risk-warning", "validate", "core"])
    monkeypatch.setenv("RW_CRASH_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == ExitCode.INTERNAL
    said = capsys.readouterr().err
    assert "internal error, a bug in risk-warning: RuntimeError: the impossible happened" in said
    assert "--debug" in said and "Traceback" not in said and "19900307" not in said  # masked
    kept = Path(re.search(r"The traceback is in (\S+);", said).group(1))  # type: ignore[union-attr]
    logged = kept.read_text(encoding="utf-8")
    assert "Traceback" in logged and "the impossible happened" in logged and "19900307" not in logged
    kept.unlink()
    monkeypatch.setattr(sys, "argv", ["risk-warning", "--debug", "validate", "core"])
    with pytest.raises(RuntimeError, match="the impossible happened"):
        cli.main()
