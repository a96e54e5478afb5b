"""sources/readers.py: plain CSV files by Polars, everything else by the csv module, line by line last."""

from __future__ import annotations

from pathlib import Path

from risk_warning.sources.readers import MAX_CELL, read_csv


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
