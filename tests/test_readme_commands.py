"""Every `risk-warning` command in README.md, run as written in order against a fresh store: none prints a
traceback, each exits with a documented code, and a failure says something. (The data they name is the demo
export; the files they name are the README's own examples; a server they name does not exist here, which
is the point: the message must be one line, not a traceback.)"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from risk_warning.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and Path(words[0]).name == "risk-warning":
                found.append(words[1:])
    return found


def test_every_readme_command_runs_without_a_traceback(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (rules_yaml,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S) if b.startswith("ruleset:")]
    (mapping_yaml,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S) if "site-mapping" in b]
    (tmp_path / "my-rules.yaml").write_text(rules_yaml, encoding="utf-8")
    (tmp_path / "site-mapping.yaml").write_text(mapping_yaml, encoding="utf-8")
    (tmp_path / "rulesets").symlink_to(ROOT / "rulesets")
    (tmp_path / "hr-export").symlink_to(ROOT / "fixtures" / "demo")
    env = {**os.environ, "RW_DB_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "RW_SCHEDULER_TIMEOUT": "3"}
    commands = readme_commands()
    assert len(commands) >= 20 and ["db", "upgrade"] in commands
    codes = {c.value for c in ExitCode}
    ran: list[tuple[str, int]] = []
    for words in commands:
        done = subprocess.run(
            [sys.executable, "-m", "risk_warning", *words],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        said = done.stdout + done.stderr
        line = " ".join(words)
        assert "Traceback" not in said, (line, said[-3000:])
        assert done.returncode in codes, (line, done.returncode, said[-2000:])
        assert done.returncode == 0 or done.stderr.strip(), (line, done.returncode)
        ran.append((line, done.returncode))
    succeeded = [line for line, code in ran if code == 0]
    assert any(line.startswith("scan --data demo") for line in succeeded), ran
    assert any(line.startswith("alerts list") for line in succeeded), ran
