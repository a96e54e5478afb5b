"""What the CLI prints is the text as given (issue 20): line numbers stay numbers (`:100:` is not an emoji
code), markup in data is printed as it is, and table cells are scrubbed like every other line, as are the
file names a scan stores."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from risk_warning.cli._common import PlainConsole

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "110101197203150038"
MASKED = "110101********0038"
RULE = """ruleset: site.lines
title: 行号
version: 1.0.0
rules:
  - id: lines.one
    title: 一
    family: finance
    basis: test
    disposition: test
    match:
      e: expense_claim where amount > {field}
    grade: blue
    message: "x"
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def at_line(tmp_path: Path, line: int) -> Path:
    """A ruleset whose one error (an unknown field) is on ``line``."""
    text = "#\n" * (line - 11) + RULE.format(field="nope")
    path = tmp_path / f"at{line}.yaml"
    path.write_text(text, encoding="utf-8")
    assert text.splitlines()[line - 1].strip().startswith("e: expense_claim")
    return path


def test_a_diagnostic_at_line_100_and_1234_keeps_its_numbers(tmp_path: Path) -> None:
    for line in (100, 1234):
        result = run("validate", str(at_line(tmp_path, line)))
        assert result.returncode == 2
        assert f"at{line}.yaml:{line}:39: unknown-field" in result.stderr, result.stderr
        assert "💯" not in result.stderr and "🔢" not in result.stderr


def test_markup_and_emoji_codes_in_data_are_printed_as_they_are(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "demo", data, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    units = (data / "org_unit.csv").read_text(encoding="utf-8")
    (data / "org_unit.csv").write_text(
        units.replace("市住房和城乡建设局", "[bold]市住建局[/bold] :100:"), encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'plain.db'}"
    result = run("scan", "--data", str(data), "--as-of", "2026-06-30", "--db", db, "--max-quarantined", "0.2")
    assert result.returncode == 0, result.stderr
    assert "[bold]市住建局[/bold] :100:" in result.stdout
    assert "expense_claim.csv:" in result.stdout + result.stderr


def test_table_cells_and_stored_file_names_are_scrubbed(tmp_path: Path) -> None:
    """An HR system that uses ID numbers as cadre ids, and an .lrmx form named after one."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "demo", data, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for path in data.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").replace("C002", ID_NUMBER), encoding="utf-8")
    db = tmp_path / "ids.db"
    url = f"sqlite:///{db}"
    scanned = run("scan", "--data", str(data), "--as-of", "2026-06-30", "--db", url, "--max-quarantined", "0.5")
    listed = run("alerts", "list", "--db", url)
    assert scanned.returncode == 0 and listed.returncode == 0, scanned.stderr + listed.stderr
    assert f"{MASKED} 李*" in listed.stdout  # the 对象 cell
    (data / f"{ID_NUMBER}.lrmx").write_text("not a form", encoding="utf-8")
    refused = run("scan", "--data", str(data), "--as-of", "2026-07-01", "--db", url, "--max-quarantined", "0.5")
    assert refused.returncode == 5, refused.stderr  # a form that is not one refuses the night
    shown = run("scans", "show", "--db", url)
    printed = "".join(r.stdout + r.stderr for r in (scanned, listed, refused, shown))
    assert shown.returncode == 0, printed
    assert ID_NUMBER not in printed and f"{MASKED}.lrmx" in printed
    with sqlite3.connect(db) as connection:
        paths = [p for (p,) in connection.execute("SELECT path FROM quarantine")]
        quality = [q for (q,) in connection.execute("SELECT data_quality FROM scan_run")]
    assert any(MASKED in p for p in paths) and not any(ID_NUMBER in p for p in paths)
    assert not any(ID_NUMBER in (q or "") for q in quality)


def test_the_console_scrubs_a_cell_before_wrapping_it() -> None:
    from rich.table import Table

    console = PlainConsole(width=30, record=True)
    table = Table("id", "说明")
    table.add_row(ID_NUMBER, f"[red]{ID_NUMBER}[/red] :thumbs_up:")
    console.print(table)
    text = console.export_text()
    assert "1101011972031" not in text.replace("\n", "").replace(" ", "").replace("│", "")
    assert ":thumbs_up:" in text.replace("\n", "").replace(" ", "").replace("│", "") or "thumbs" in text
