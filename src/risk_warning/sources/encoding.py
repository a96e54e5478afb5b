"""Which text encoding a file is in: UTF-8 (with or without BOM) or GB18030/GBK, decided, never guessed.

HR systems in Chinese offices export UTF-8 or GBK. The two cannot be told apart by trying one and
falling back to the other: most UTF-8 Chinese text also decodes as GB18030 (into nonsense), and a
GBK file with one stray byte is no longer valid UTF-8 either way. So the decision is made per line:

- every line decodes as UTF-8: UTF-8;
- at least nine in ten lines with non-ASCII bytes decode as UTF-8: UTF-8, and the lines that do
  not are bad records (quarantined, reading goes on);
- at most one in ten do, at least nine in ten decode as GB18030, and the text they give is Chinese
  (nine in ten of its characters are in GB2312, the common set: real names and terms are; Latin-1
  or other bytes read as GBK land in the rare extension areas): GB18030, the rest bad records;
- anything else is undecidable: the file is refused with a message that says to save it as UTF-8,
  and what charset-normalizer takes it for.

UTF-16 (Excel's "Unicode text") is refused with the same advice. Lines are split on the byte
``\\n``, which never occurs inside a UTF-8 or GB18030 multi-byte character.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import charset_normalizer

UTF8, GB18030 = "utf-8", "gb18030"
SHARE = 0.9  # the share of non-ASCII lines one encoding must decode
SAVE_AS = "save the file as UTF-8 (in Excel: 另存为 'CSV UTF-8') and scan again"


class EncodingRefused(ValueError):
    """The file's encoding cannot be decided or is not supported; the message says what to do."""


@dataclass
class Decoded:
    """The text of each line (bad lines decoded with replacement characters) and which lines were bad."""

    encoding: str
    lines: list[str]
    bad: set[int] = field(default_factory=set)  # 0-based indexes of lines that did not decode


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _chinese(text: str) -> bool:
    """Nine in ten non-ASCII characters are in GB2312 (the common hanzi, punctuation, full-width forms)."""
    wide = [c for c in text if ord(c) >= 0x80]
    common = sum(1 for c in wide if _encodes(c, "gb2312"))
    return bool(wide) and common >= SHARE * len(wide)


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _guess(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data[:65536]).best()
    return f" (it looks like {best.encoding})" if best is not None else ""


def decode_lines(data: bytes) -> Decoded:
    """Decide the encoding of ``data`` and decode it line by line; raises EncodingRefused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingRefused(f"the file is in UTF-16, which is not supported; {SAVE_AS}")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:  # the common case, decided at C speed
        return Decoded(UTF8, _lines(data.decode(UTF8)))
    except UnicodeDecodeError:
        pass
    raw = data.split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    nonascii = [i for i, line in enumerate(raw) if not line.isascii()]
    utf8_ok = [i for i in nonascii if _decodes(raw[i], UTF8)]
    if len(utf8_ok) >= SHARE * len(nonascii):
        return _decode(raw, UTF8)
    gb_ok = [i for i in nonascii if _decodes(raw[i], GB18030)]
    mostly_gb = len(utf8_ok) <= (1 - SHARE) * len(nonascii) and len(gb_ok) >= SHARE * len(nonascii)
    if mostly_gb and _chinese(b"\n".join(raw[i] for i in gb_ok).decode(GB18030)):
        try:
            return Decoded(GB18030, _lines(data.decode(GB18030)))
        except UnicodeDecodeError:
            return _decode(raw, GB18030)
    raise EncodingRefused(
        f"cannot tell the encoding{_guess(data)}: {len(utf8_ok)} of {len(nonascii)} lines with non-ASCII text read "
        f"as UTF-8, {len(gb_ok)} as GBK/GB18030, and neither reading is Chinese text; {SAVE_AS}"
    )


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _decode(raw: list[bytes], encoding: str) -> Decoded:
    out = Decoded(encoding, [])
    for i, line in enumerate(raw):
        try:
            out.lines.append(line.decode(encoding))
        except UnicodeDecodeError:
            out.lines.append(line.decode(encoding, errors="replace"))
            out.bad.add(i)
    return out
