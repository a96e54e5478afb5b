"""sources/readers.py: plain CSV files by Polars, everything else by the csv module, line by line last."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk_warning.sources import readers
from risk_warning.sources.readers import MAX_CELL, LineStream, RawTable, read_csv


def test_a_plain_csv_is_kept_as_lines_and_split_by_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    wide = "x" * (MAX_CELL - 1)
    path.write_text(f"a,b,c\n{wide},{wide},1\n,2,\n", encoding="utf-8")
    table = read_csv(path)
    assert table.block is not None and table.size == 2 and not table.broken
    assert table.block.split().rows() == [(wide, wide, "1"), ("", "2", "")]
    assert table.block.split(1, 1).rows() == [("", "2", "")]
    assert table.column("c") == ["1", ""]


def test_a_cell_too_long_leaves_the_plain_path_and_is_a_broken_record(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"a,b\n1,2\n{'x' * (MAX_CELL + 1)},3\n", encoding="utf-8")
    table = read_csv(path)
    assert table.block is None and [line for line, _ in table.rows] == [2]
    assert [b.line for b in table.broken] == [3]
    assert f"column 'a' is longer than {MAX_CELL} characters" in table.broken[0].problem


def test_a_line_with_another_number_of_commas_leaves_the_plain_path(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3\n4,5,6\n", encoding="utf-8")
    table = read_csv(path)
    assert table.block is None and [line for line, _ in table.rows] == [2]
    assert [b.line for b in table.broken] == [3, 4]


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RawTable, RawTable]:
    """The file read whole, and read as a large file: a window of about 40 bytes at a time."""
    whole = read_csv(path)
    with monkeypatch.context() as patched:
        patched.setattr(readers, "STREAM_OVER", 0)
        patched.setattr(readers, "WINDOW", 40)
        streamed = read_csv(path)
    return whole, streamed


def _records(table: RawTable) -> tuple[list[tuple[int, list[str | None]]], list[tuple[int, str]]]:
    """(line and cells of each readable row, line and problem of each broken one), the table consumed."""
    rows: list[tuple[int, list[str | None]]] = []
    if isinstance(table.block, LineStream):
        for numbers, block in table.block.blocks():
            rows += zip(numbers.to_list(), [list(r) for r in block.split().rows()], strict=True)
    elif table.block is not None:
        rows += [(i + 2, list(r)) for i, r in enumerate(table.block.split().rows())]
    else:
        rows += [(line, cells) for line, cells in table.rows]
    return rows, sorted((b.line, b.problem) for b in table.broken)


def test_a_large_plain_file_is_read_a_window_at_a_time_as_the_whole_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    lines = ["id,名称,n", *(f"r{i},干部{i},{i}" for i in range(40)), "short", f"{'x' * (MAX_CELL + 1)},y,1", "a,b,c,d"]
    path.write_bytes(("\r\n".join(lines)).encode())  # Windows line ends, no line end at the last line
    whole, streamed = _read_both(path, monkeypatch)
    assert isinstance(streamed.block, LineStream) and streamed.size == whole.size == 43
    got, expected = _records(streamed), _records(whole)
    assert [(n, [c.rstrip("\r") if c else c for c in cells]) for n, cells in got[0]] == expected[0]
    assert got[1] == expected[1] and [line for line, _ in got[1]] == [42, 43, 44]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
def test_blank_lines_in_a_large_file_are_skipped_as_the_whole_file_skips_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: bytes
) -> None:
    path = tmp_path / "t.csv"
    body = [f"r{i},干部{i},{i}".encode() for i in range(30)]
    lines = [b"id,name,n", b"", *body[:7], b"", b"", *body[7:], b"short", b"", b""]
    path.write_bytes(newline.join(lines) + newline)
    whole, streamed = _read_both(path, monkeypatch)
    assert isinstance(streamed.block, LineStream)
    got, expected = _records(streamed), _records(whole)
    assert [(n, [c.rstrip("\r") if c else c for c in cells]) for n, cells in got[0]] == expected[0]
    assert got[1] == expected[1] == [(35, "the row has 1 values and the header 3 columns")]
    assert streamed.size == whole.size == 31  # known once the stream is read


@pytest.mark.parametrize(
    "spoiler",
    [b'"quoted, with a comma",1,2', "\u5e72\u90e8".encode("gb18030") + b",1,2", b"a\x00b,1,2"],
    ids=["quote", "not UTF-8", "NUL"],
)
def test_a_large_file_that_is_not_plain_somewhere_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoiler: bytes
) -> None:
    path = tmp_path / "t.csv"
    body = [f"r{i},干部{i},{i}".encode() for i in range(30)]
    path.write_bytes(b"\n".join([b"id,name,n", *body, spoiler, *body]) + b"\n")
    whole, streamed = _read_both(path, monkeypatch)
    assert not isinstance(streamed.block, LineStream)
    assert _records(streamed) == _records(whole)


def test_a_large_gbk_export_is_read_a_window_at_a_time_as_the_whole_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Excel in a Chinese office saves as CSV: GBK. A large one streamed, never decoded whole in memory."""
    path = tmp_path / "t.csv"
    lines = ["人员代码,姓名,单位", *(f"r{i},张{'伟芳娜秀英'[i % 5]}{i},市住建局" for i in range(60)), "短", "a,b,c,d"]
    path.write_bytes("\n".join(lines).encode("gbk"))
    whole, streamed = _read_both(path, monkeypatch)
    assert whole.encoding == "gb18030" and whole.block is None  # the whole file: decoded, then the csv module
    assert isinstance(streamed.block, LineStream) and streamed.encoding == "gb18030"
    assert streamed.header == whole.header == ["人员代码", "姓名", "单位"]
    got, expected = _records(streamed), _records(whole)
    assert got == expected and len(got[0]) == 60 and [line for line, _ in got[1]] == [62, 63]


@pytest.mark.parametrize(
    "later",
    [
        pytest.param('r99,"张三",市住建局', id="a quote"),
        pytest.param(b"r99,\x80\x80,x", id="a byte that is not GBK"),
    ],
)
def test_a_large_gbk_export_that_is_not_plain_throughout_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: str | bytes
) -> None:
    path = tmp_path / "t.csv"
    head = "\n".join(["人员代码,姓名,单位", *(f"r{i},李{i},市住建局" for i in range(60))]).encode("gbk")
    path.write_bytes(head + b"\n" + (later.encode("gbk") if isinstance(later, str) else later) + b"\n")
    whole, streamed = _read_both(path, monkeypatch)
    assert not isinstance(streamed.block, LineStream)
    assert _records(streamed) == _records(whole) and streamed.encoding == whole.encoding == "gb18030"


def test_a_gbk_export_is_read_by_polars_as_its_utf8_twin_is(tmp_path: Path) -> None:
    """A small GBK file takes the plain path too (made UTF-8 in memory): the same records, not the csv
    module's row by row (at 100,000 cadres in GBK that was 21 s of a 48 s scan)."""
    lines = ["人员代码,姓名,单位", *(f"r{i},王{'伟芳娜'[i % 3]}{i},市住建局" for i in range(30)), "r30,,"]
    (tmp_path / "gbk.csv").write_bytes("\n".join(lines).encode("gbk"))
    (tmp_path / "utf8.csv").write_text("\n".join(lines), encoding="utf-8")
    gbk, utf8 = read_csv(tmp_path / "gbk.csv"), read_csv(tmp_path / "utf8.csv")
    assert gbk.block is not None and not isinstance(gbk.block, LineStream) and gbk.encoding == "gb18030"
    assert gbk.header == utf8.header and _records(gbk) == _records(utf8) and len(_records(gbk)[0]) == 31
