"""Read a file into a raw table: a header, the records that could be read, and the ones that could not.

A reader never stops at a bad record: an undecodable line, a quote that is never closed, a row with
too many or too few cells, a value longer than ``MAX_CELL`` characters, a JSON line that does not
parse are each a broken record with its line number, and reading goes on. Only a fault that makes
every record doubtful (an encoding that cannot be decided, a JSON document that does not parse) is
raised as ``FileRefused``. Cells are text; typing is the columns stage's work.

Locations: CSV and JSONL lines count the header as line 1; JSON records count from 1; XLSX rows are
the sheet's own row numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl

from risk_warning.errors import Reason
from risk_warning.sources.encoding import GB18030, UTF8, EncodingRefused, decode_lines

MAX_CELL = 8192  # characters in one value; no field of an HR record comes near it
MAX_RECORD_LINES = 50  # physical lines one quoted CSV record may span before its quote counts as broken

Cells = dict[str, str | None]
Row = list[str | None]  # cells in the order of the header


class FileRefused(ValueError):
    """A fault that makes every record of the file doubtful: none of them is used."""

    def __init__(self, message: str, reason: Reason = Reason.UNREADABLE) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class BrokenRecord:
    line: int
    problem: str
    cells: Mapping[str, str | None] = field(default_factory=dict)  # what could still be read, naming the subject


@dataclass
class LineBlock:
    """The rows of a plain CSV file (no quote, the header's number of commas on every line) kept as its
    lines, from line 2, and split into a column per header position a slice at a time: a large file is
    never held as lines and as cells at once."""

    lines: pl.Series
    width: int

    @property
    def height(self) -> int:
        return self.lines.len()

    def split(self, offset: int = 0, length: int | None = None) -> pl.DataFrame:
        """Rows ``offset`` on (``length`` of them, or all), a column of text per header position."""
        return self.lines.slice(offset, length).str.split_exact(",", self.width - 1).struct.unnest()


STREAM_OVER = 64 << 20  # bytes: a plain CSV file larger than this is read a window at a time
MAX_LINE_BYTES = 4 << 20  # one record's line; a large file with a longer one is refused before it is read whole
WINDOW = 16 << 20  # bytes read at a time from such a file (whole lines)


@dataclass
class LineStream:
    """The rows of a large plain CSV file (no quote; valid UTF-8, or GB18030 made UTF-8 a window at a
    time), read from the file a window of whole lines at a time: memory holds a window, never the file. A
    blank line is skipped (its number is not reused), a line with the wrong number of commas, or a value
    longer than ``MAX_CELL``, is a broken record (``broken``), as the C csv reader would find them; the
    others come as ``LineBlock``s with their line numbers."""

    path: Path
    start: int  # where line 2 begins, in bytes
    height: int  # lines after the header; once read, the records among them (blank lines left out)
    width: int
    header: list[str]
    broken: list[BrokenRecord]
    encoding: str = UTF8

    def blocks(self) -> Iterator[tuple[pl.Series, LineBlock]]:
        """(line numbers, the good lines of a window) for each window, in file order."""
        number, records = 2, 0
        with self.path.open("rb") as file:
            file.seek(self.start)
            for window in _windows(file):
                if self.encoding != UTF8:  # checked whole before (_stream_plain_csv): decodes strictly
                    window = window.decode(self.encoding).encode(UTF8)
                lines = _lines_of(window)
                numbers = pl.int_range(number, number + lines.len(), dtype=pl.Int64, eager=True)
                number += lines.len()
                if lines.null_count():  # blank lines
                    numbers, lines = numbers.filter(lines.is_not_null()), lines.drop_nulls()
                records += lines.len()
                good = lines.str.count_matches(",", literal=True) == self.width - 1
                longest = lines.str.len_chars().max()
                if isinstance(longest, int) and longest > MAX_CELL:
                    cells = LineBlock(lines, self.width).split()
                    good = good & pl.Series(
                        cells.select(pl.max_horizontal(pl.all().str.len_chars())).to_series() <= MAX_CELL
                    )
                if not good.all():
                    for line, text in zip(numbers.filter(~good).to_list(), lines.filter(~good).to_list(), strict=True):
                        cut = text.rstrip("\r").split(",")
                        problem = _problem(self.header, cut)
                        self.broken.append(BrokenRecord(line, problem, dict(zip(self.header, cut, strict=False))))
                    lines, numbers = lines.filter(good), numbers.filter(good)
                yield numbers, LineBlock(lines, self.width)
        self.height = records


def _windows(file: IO[bytes]) -> Iterator[bytes]:
    """The rest of a file in pieces of about ``WINDOW`` bytes, each ending at the end of a line."""
    rest = b""
    while chunk := file.read(WINDOW):
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        rest = data[cut:]
        if cut:
            yield data[:cut]
    if rest:
        yield rest


def _lines_of(window: bytes | Path) -> pl.Series:
    return pl.read_csv(
        window, has_header=False, separator="\x00", quote_char=None, infer_schema=False, new_columns=["line"]
    ).get_column("line")


def _plain_window(window: bytes, encoding: str = UTF8) -> bool:
    """No quote, no NUL, valid text in ``encoding``: what the window-at-a-time reading needs. (Neither byte,
    nor the comma or the line end, occurs inside a GB18030 character.)"""
    if b'"' in window or b"\x00" in window:
        return False
    if encoding != UTF8:
        try:
            window.decode(encoding)
        except UnicodeDecodeError:
            return False
        return True
    try:
        pl.Series([window], dtype=pl.Binary).cast(pl.String, strict=True)
    except pl.exceptions.PolarsError:
        return False
    return True


def _window_encoding(sample: bytes) -> str | None:
    """The encoding of a large file, decided on its header and first window with non-ASCII text by the rule
    for a whole file (encoding.py); None (read the file whole) when that is not clean UTF-8 or GB18030."""
    try:
        decoded = decode_lines(sample)
    except EncodingRefused:
        return None
    return decoded.encoding if not decoded.bad and decoded.encoding in (UTF8, GB18030) else None


@dataclass
class RawTable:
    name: str  # where the table came from: a path, or path#sheet
    header: list[str]
    rows: list[tuple[int, Row]] = field(default_factory=list)  # (line, cells in header order; "" is empty)
    broken: list[BrokenRecord] = field(default_factory=list)
    encoding: str = ""
    block: LineBlock | LineStream | None = None  # rows of a plain CSV file, split by column as they are read

    @property
    def size(self) -> int:
        """Records found: readable and broken (a stream's lines hold its broken records and blank lines: read
        it first)."""
        if isinstance(self.block, LineStream):
            return self.block.height
        return len(self.rows) + (self.block.height if self.block is not None else 0) + len(self.broken)

    def column(self, header: str) -> list[str | None]:
        index = self.header.index(header)
        if isinstance(self.block, LineStream):
            return [v for _, block in self.block.blocks() for v in block.split().to_series(index).to_list()]
        if self.block is not None:
            return self.block.split().to_series(index).to_list()
        return [cells[index] if index < len(cells) else None for _, cells in self.rows]


def _text(value: Any) -> str | None:
    """A cell as text: dates in ISO form, whole numbers without '.0', lists joined with ';'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        raise ValueError("a value is a nested object")
    return str(value)


def _problem(header: list[str], cells: list[str]) -> str:
    """Why a row of cells is a broken record ("" when it is not)."""
    if len(cells) != len(header):
        return f"the row has {len(cells)} values and the header {len(header)} columns"
    return _too_long(header, list(cells)) if cells and max(map(len, cells)) > MAX_CELL else ""


def _too_long(header: list[str], cells: Row) -> str:
    long = [h for h, v in zip(header, cells, strict=False) if v is not None and len(v) > MAX_CELL]
    return f"the value of column '{long[0]}' is longer than {MAX_CELL} characters" if long else ""


# -- CSV -----------------------------------------------------------------------------------------------
def _csv_records(lines: list[str], bad: set[int]) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line number, cells or None, problem) for each record; quoted values may span lines."""
    i = 0
    while i < len(lines):
        start = i
        if i in bad:
            yield start + 1, _split(lines[i]), "bytes that are not valid text in the file's encoding"
            i += 1
            continue
        text = lines[i]
        while text.count('"') % 2 and i + 1 < len(lines) and i + 1 - start < MAX_RECORD_LINES and i + 1 not in bad:
            i += 1
            text += "\n" + lines[i]
        if text.count('"') % 2:
            yield start + 1, _split(lines[start]), "a quote opened on this line is never closed"
            i = start + 1
            continue
        i += 1
        if text.strip():
            cells = _split(text)
            yield start + 1, cells, "" if cells is not None else "the line is not valid CSV"


def _split(text: str) -> list[str] | None:
    try:
        rows = list(csv.reader([text.rstrip("\r")], strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def read_csv(path: Path) -> RawTable:
    if path.stat().st_size > STREAM_OVER:
        _check_line_lengths(path)
    plain = _read_plain_csv(path)
    if plain is not None:
        return plain
    try:
        decoded = decode_lines(path.read_bytes())
    except EncodingRefused as exc:
        raise FileRefused(str(exc)) from None
    lines = [line[:-1] if line.endswith("\r") else line for line in decoded.lines]
    if not decoded.bad:
        table = _read_clean_csv(str(path), lines)
        if table is not None:
            table.encoding = decoded.encoding
            return table
    return _read_csv_by_line(str(path), lines, decoded.bad, decoded.encoding)


def _check_line_lengths(path: Path) -> None:
    """A large file is read a window of lines at a time, or, when it is not plain, whole: a line longer than
    ``MAX_LINE_BYTES`` (a 1 GB file with no line break) would take all the memory either way. Checked with a
    constant memory pass over the bytes, before any reading; the file is refused at that line.

    Not line by line (a Python step per record cost 2 s at 100,000 cadres): a line longer than the limit
    holds a whole block of half the limit with no line break, so each read is looked at in such blocks,
    with ``find`` in C, and only a block without a break is measured exactly."""
    limit = MAX_LINE_BYTES
    step = max(1, limit // 2)
    line, since = 1, 0  # the line being read, and its bytes in the reads before this one
    with path.open("rb") as file:
        while chunk := file.read(WINDOW):
            first = chunk.find(b"\n")
            if first == -1:
                since += len(chunk)
                if since > limit:
                    raise _long_line(line)
                continue
            if since + first > limit:
                raise _long_line(line)
            last = chunk.rfind(b"\n")
            for block in range(first + 1, last, step):  # the lines wholly inside this read
                if chunk.find(b"\n", block, min(block + step, last)) == -1:
                    before, after = chunk.rfind(b"\n", 0, block), chunk.find(b"\n", block)
                    if after - before - 1 > limit:
                        raise _long_line(line + chunk.count(b"\n", 0, before + 1))
            line += chunk.count(b"\n")
            since = len(chunk) - last - 1
            if since > limit:
                raise _long_line(line)


def _long_line(line: int) -> FileRefused:
    return FileRefused(
        f"line {line} is longer than {MAX_LINE_BYTES:,} bytes: not a file of records (an export's line is "
        "a few hundred bytes); the file was refused: check that it is the export"
    )


def _header(cells: list[str] | None, problem: str = "") -> list[str]:
    if cells is None or problem:
        raise FileRefused(f"line 1, the header, cannot be read: {problem or 'not valid CSV'}")
    return [h.strip() for h in cells]


def _check(table: RawTable, line: int, cells: list[str]) -> None:
    """Keep a record, or note it broken: a wrong number of cells, or a cell longer than MAX_CELL."""
    problem = _problem(table.header, cells)
    if problem:
        table.broken.append(BrokenRecord(line, problem, dict(zip(table.header, cells, strict=False))))
    else:
        table.rows.append((line, list(cells)))


def _read_plain_csv(path: Path) -> RawTable | None:
    """A UTF-8 (or GBK) file with no quote, no blank line and the header's number of commas on every line,
    read and split by Polars: what most exports are, and the common case at scale (no Python string per line or
    cell). None for anything else: the C csv reader, then line by line, take it. A file larger than
    ``STREAM_OVER`` is read a window at a time (``LineStream``).
    """
    if path.stat().st_size > STREAM_OVER:
        return _stream_plain_csv(path)
    encoding = UTF8
    try:
        lines = _lines_of(path)
    except (pl.exceptions.PolarsError, OSError):  # not UTF-8, or not one column of lines
        if (text := path.read_bytes()).isascii() or _window_encoding(text) != GB18030:
            return None
        encoding = GB18030  # a GBK export: made UTF-8 in memory, then read the same way
        try:
            lines = _lines_of(text.decode(GB18030).encode(UTF8))
        except pl.exceptions.PolarsError:
            return None
    if lines.len() < 2 or lines.null_count() or lines.str.contains('"', literal=True).any():
        return None
    header = _header(lines[0].split(","))
    commas = len(header) - 1
    body = lines.slice(1)
    if not (body.str.count_matches(",", literal=True) == commas).all():
        return None
    block = LineBlock(body, len(header))
    longest_line = body.str.len_chars().max()
    if isinstance(longest_line, int) and longest_line > MAX_CELL:  # some line is that long: is some cell?
        longest = block.split().select(pl.all().str.len_chars().max()).row(0)
        if any(length is not None and length > MAX_CELL for length in longest):
            return None
    return RawTable(str(path), header, block=block, encoding=encoding)


def _stream_plain_csv(path: Path) -> RawTable | None:
    """A large plain file, checked a window at a time (``_plain_window``) and then read a window at a time
    (``LineStream``); None when some window is not plain. A GBK export (what Excel in a Chinese office
    saves as CSV) streams too: the first window with non-ASCII text decides the encoding, and every window
    must then decode in it."""
    encoding: str | None = None  # decided by the header and the first window with non-ASCII text
    with path.open("rb") as file:
        first = file.readline()
        start = file.tell()
        if not first.endswith(b"\n"):
            return None
        height = 0
        for window in _windows(file):
            if encoding is None and not (sample := first + window).isascii():
                encoding = _window_encoding(sample)
                if encoding is None:
                    return None
            if not _plain_window(window, encoding or UTF8):
                return None
            height += window.count(b"\n") + (not window.endswith(b"\n"))
    if not _plain_window(first, encoding or UTF8):
        return None
    encoding = encoding or UTF8
    header = _header(first.decode(encoding).rstrip("\r\n").split(","))
    broken: list[BrokenRecord] = []
    stream = LineStream(path, start, height, len(header), header, broken, encoding)
    return RawTable(str(path), header, broken=broken, block=stream, encoding=encoding)


def _read_clean_csv(name: str, lines: list[str]) -> RawTable | None:
    """The whole file through one C csv reader; None (read it line by line) at the first sign of damage."""
    reader = csv.reader((line + "\n" for line in lines), strict=True)
    try:
        first = next(reader, None)
        if first is None:
            return RawTable(name, [])
        table = RawTable(name, _header(first))
        start = reader.line_num + 1
        for cells in reader:
            if reader.line_num - start >= MAX_RECORD_LINES:
                return None  # a quote that swallows lines: find its record line by line
            if cells:
                _check(table, start, cells)
            start = reader.line_num + 1
    except csv.Error:
        return None
    return table


def _read_csv_by_line(name: str, lines: list[str], bad: set[int], encoding: str) -> RawTable:
    records = _csv_records(lines, bad)
    first = next(records, None)
    if first is None:
        return RawTable(name, [], encoding=encoding)
    _, header_cells, problem = first
    table = RawTable(name, _header(header_cells, problem), encoding=encoding)
    for line, cells, problem in records:
        if problem or cells is None:
            partial = dict(zip(table.header, cells or [], strict=False))
            table.broken.append(BrokenRecord(line, problem or "the line is not valid CSV", partial))
        else:
            _check(table, line, cells)
    return table


# -- JSON and JSONL ------------------------------------------------------------------------------------
def _json_row(table: RawTable, line: int, record: Any) -> None:
    if not isinstance(record, dict):
        table.broken.append(BrokenRecord(line, "a record must be an object"))
        return
    try:
        cells = {str(k): _text(v) for k, v in record.items()}
    except ValueError as exc:
        table.broken.append(BrokenRecord(line, str(exc)))
        return
    for key in cells:
        if key not in table.header:
            table.header.append(key)
    row = [cells.get(h) for h in table.header]  # the header only grows: earlier rows are padded below
    problem = _too_long(table.header, row)
    if problem:
        table.broken.append(BrokenRecord(line, problem, cells))
    else:
        table.rows.append((line, row))


def _pad(table: RawTable) -> RawTable:
    width = len(table.header)
    for _, row in table.rows:
        row.extend([None] * (width - len(row)))
    return table


def read_jsonl(path: Path) -> RawTable:
    try:
        decoded = decode_lines(path.read_bytes())
    except EncodingRefused as exc:
        raise FileRefused(str(exc)) from None
    table = RawTable(str(path), [], encoding=decoded.encoding)
    for index, text in enumerate(decoded.lines):
        if index in decoded.bad:
            table.broken.append(BrokenRecord(index + 1, "bytes that are not valid text in the file's encoding"))
            continue
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            table.broken.append(BrokenRecord(index + 1, f"not valid JSON at column {exc.colno}: {exc.msg}"))
            continue
        _json_row(table, index + 1, record)
    return _pad(table)


def read_json(path: Path) -> RawTable:
    try:
        decoded = decode_lines(path.read_bytes())
    except EncodingRefused as exc:
        raise FileRefused(str(exc)) from None
    if decoded.bad:
        raise FileRefused(f"line {min(decoded.bad) + 1} holds bytes that are not valid {decoded.encoding}")
    try:
        data = json.loads("\n".join(decoded.lines))
    except json.JSONDecodeError as exc:
        raise FileRefused(f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, list):
        raise FileRefused("a .json fact file holds a list of records")
    table = RawTable(str(path), [], encoding=decoded.encoding)
    for index, record in enumerate(data, start=1):
        _json_row(table, index, record)
    return _pad(table)


# -- XLSX ----------------------------------------------------------------------------------------------
def xlsx_sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own error types for a damaged workbook
        raise FileRefused(f"not a readable XLSX workbook: {type(exc).__name__}") from None


def read_xlsx_sheet(path: Path, sheet: str) -> RawTable:
    """One sheet: the first non-empty row is the header; cells typed by Excel become text."""
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise FileRefused(f"sheet '{sheet}' cannot be read: {type(exc).__name__}") from None
    table = RawTable(f"{path}#{sheet}", [], encoding="xlsx")
    for number, row in enumerate(rows, start=1):
        texts = [_text(v) if v != "" else None for v in row]
        if not any(t is not None and t.strip() for t in texts):
            continue
        if not table.header:
            table.header = [(t or "").strip() for t in texts]
            while table.header and not table.header[-1]:
                table.header.pop()
            continue
        extra = [t for t in texts[len(table.header) :] if t and t.strip()]
        cells = (texts + [None] * len(table.header))[: len(table.header)]
        problem = f"the row has values beyond the last named column ({len(table.header)})" if extra else ""
        problem = problem or _too_long(table.header, cells)
        if problem:
            table.broken.append(BrokenRecord(number, problem, dict(zip(table.header, cells, strict=True))))
        else:
            table.rows.append((number, cells))
    return table
