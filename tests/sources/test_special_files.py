"""What an export folder may hold besides records (issue 20): a named pipe, a link to a device, a broken
link or a link loop is never opened, and named after a fact type it refuses the night (its input is not
whole); a large file with a line longer than MAX_LINE_BYTES is refused before it is read whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_warning import DirectorySource
from risk_warning.errors import Reason
from risk_warning.sources import readers

ROOT = Path(__file__).resolve().parents[2]
NOT_REGULAR = "not a regular file (a named pipe, a device, a broken link or a link loop); it was not opened"


def demo(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "demo", data, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return data


def test_pipes_devices_and_broken_links_are_refused_unopened(tmp_path: Path) -> None:
    data = demo(tmp_path)
    (data / "complaint.csv").unlink()
    os.mkfifo(data / "complaint.csv")  # opening it would wait for a writer for ever
    (data / "travel_document.csv").unlink()
    (data / "travel_document.csv").symlink_to("/dev/zero")  # reading it would never end
    (data / "loop_a.csv").symlink_to(data / "loop_b.csv")
    (data / "loop_b.csv").symlink_to(data / "loop_a.csv")
    (data / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    loaded = DirectorySource(data).load()
    special = sorted((Path(q.location.path).name, q.fact_type, q.message) for q in loaded.quarantined
                     if q.reason is Reason.UNREADABLE)  # fmt: skip
    assert special == [
        ("complaint.csv", "complaint", NOT_REGULAR),
        ("gone.csv", "", NOT_REGULAR),
        ("loop_a.csv", "", NOT_REGULAR),
        ("loop_b.csv", "", NOT_REGULAR),
        ("travel_document.csv", "travel_document", NOT_REGULAR),
    ]
    refused = sorted((Path(f.path).name, f.refused) for f in loaded.files if f.refused)
    assert refused == [("complaint.csv", NOT_REGULAR), ("travel_document.csv", NOT_REGULAR)]

    result = subprocess.run(
        [sys.executable, "-m", "risk_warning", "scan", "--data", str(data), "--as-of", "2026-06-30", "--db",
         f"sqlite:///{tmp_path / 's.db'}", "--workers", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 5, result.stderr
    assert f"complaint.csv: the file was refused: {NOT_REGULAR}" in result.stderr


def test_a_large_file_with_an_endless_line_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down: a file over STREAM_OVER whose third line is over MAX_LINE_BYTES (a 1 GB line, in small)."""
    monkeypatch.setattr(readers, "STREAM_OVER", 1 << 16)
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 1 << 14)
    monkeypatch.setattr(readers, "WINDOW", 1 << 12)  # the long line spans several reads
    data = tmp_path / "data"
    data.mkdir()
    body = "cadre_id,name\nc1,张三\n" + "c2," + "x" * (1 << 17) + "\n" + "c3,李四\n"
    (data / "cadre.csv").write_text(body, encoding="utf-8")
    loaded = DirectorySource(data).load()
    (report,) = loaded.files
    assert report.refused == (
        "line 3 is longer than 16,384 bytes: not a file of records (an export's line is a few hundred bytes); "
        "the file was refused: check that it is the export"
    )
    ok = "cadre_id,name\n" + "".join(f"c{i},张三{i}\n" for i in range(8000))
    (data / "cadre.csv").write_text(ok, encoding="utf-8")
    (report,) = DirectorySource(data).load().files
    assert (report.refused, report.accepted) == ("", 8000)


def _longest_line_reference(data: bytes, limit: int) -> int | None:
    """The line (1-based) of the first line longer than ``limit`` bytes, line by line: what the block check
    must find."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if len(line) > limit:
            return number
    return None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    lines=st.lists(st.integers(0, 60), max_size=30),
    ends_with_break=st.booleans(),
    limit=st.integers(1, 40),
    window=st.integers(1, 2000),  # reads shorter and longer than the lines and the limit
)
def test_the_block_check_finds_the_first_long_line_as_a_line_by_line_pass_would(
    lines: list[int], ends_with_break: bool, limit: int, window: int
) -> None:
    data = b"\n".join(bytes([65 + i % 26]) * n for i, n in enumerate(lines)) + (b"\n" if ends_with_break else b"")
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patched:
        path = Path(folder) / "lines.csv"
        path.write_bytes(data)
        patched.setattr(readers, "MAX_LINE_BYTES", limit)
        patched.setattr(readers, "WINDOW", window)
        expected = _longest_line_reference(data, limit)
        try:
            readers._check_line_lengths(path)
            found = None
        except readers.FileRefused as refused:
            found = int(str(refused).split()[1])
        assert found == expected, (data, limit, window)
