"""Reading a ruleset, site, calendar or expectation file as text: UTF-8 only, every other case a located
error that says what to do.

* UTF-8, with or without the byte-order mark a Windows editor writes, is read.
* A file in GBK/GB18030 (what a Chinese Windows editor saves by default) is refused, at the line and column
  of its first byte that is not UTF-8, with the fix: save it as UTF-8. Reading it as GBK would work today,
  but the same file shared between units must mean the same thing everywhere, its content hash (which the
  alerts carry) must not depend on a guess, and one stray Latin-1 byte would be guessed wrong. The
  message says "it reads as GBK/GB18030" only when most of its non-ASCII text is not UTF-8 and it reads
  as Chinese in GB18030.
* UTF-16 (either byte order, by its mark) is refused the same way; so is any other undecodable byte.
* A file over ``MAX_FILE_BYTES`` is refused before it is decoded (a ruleset is tens of kilobytes).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from risk_warning.errors import Diagnostic, Reason, RulesetError, SourceLocation

MAX_FILE_BYTES = 1_048_576  # 1 MiB: the 46 shipped rules are 60 KB in all
SAVE_AS_UTF8 = "save it as UTF-8: 另存为, 编码选 UTF-8"


def read_text(path: str | Path, what: str = "ruleset file") -> str:
    """The file's text, or a RulesetError with one located diagnostic (unreadable, too large, not UTF-8)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RulesetError([_at(name, 1, 1, Reason.UNREADABLE, f"cannot read the {what}: {exc.strerror}",
                                "check the path and its permissions")]) from None  # fmt: skip
    if len(data) > MAX_FILE_BYTES:
        message = f"the {what} is over {MAX_FILE_BYTES:,} bytes (the limit for one file)"
        raise RulesetError([_at(name, 1, 1, Reason.LIMIT, message, "split it into several files")])
    return decode(data, name, what)


def decode(data: bytes, name: str, what: str = "ruleset file") -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RulesetError([_at(name, 1, 1, Reason.ENCODING, f"the {what} is saved as UTF-16", SAVE_AS_UTF8)])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        guessed = _guess(data)
        said = f"the {what} is not UTF-8" + (f" (it reads as {guessed})" if guessed else "")
        said += f": byte 0x{data[exc.start]:02X} cannot start or continue a UTF-8 character"
        raise RulesetError([_at(name, line, col, Reason.ENCODING, said, SAVE_AS_UTF8)]) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters of the valid text before it) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _guess(data: bytes) -> str | None:
    """GBK/GB18030 when most of the file's non-ASCII bytes are not UTF-8 and it reads as Chinese in GB18030;
    a UTF-8 file with a stray byte is not guessed at (GB18030 decodes nearly anything)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= sum(1 for ch in text if ord(ch) > 0x7F) - bad:
        return None  # mostly valid UTF-8 characters: a stray byte, not another encoding
    try:
        chinese = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK/GB18030" if any("\u4e00" <= ch <= "\u9fff" for ch in chinese) else None


def _at(name: str, line: int, col: int, reason: Reason, message: str, hint: str) -> Diagnostic:
    return Diagnostic(SourceLocation(name, line, col), reason, message, hint)
