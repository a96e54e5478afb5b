"""Ruleset files as Windows editors and other units save them, and as an attacker might: each is read or
refused with one located diagnostic naming the limit or the encoding, never a traceback or a stall."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from risk_warning import RulesetError, load_ruleset
from risk_warning.errors import Reason
from risk_warning.rules.textfile import MAX_FILE_BYTES
from risk_warning.rules.yamlsrc import MAX_ALIASES, MAX_DEPTH, MAX_VALUES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "rulesets" / "core" / "appraisal.yaml"
TEXT = SHIPPED.read_text(encoding="utf-8")
SAVE = "save it as UTF-8: 另存为, 编码选 UTF-8"


def refused(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "rules.yaml"
    path.write_bytes(data)
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    (problem,) = caught.value.diagnostics
    return str(problem).replace(str(path), "rules.yaml")


def test_utf8_with_a_byte_order_mark_loads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert [r.id for r in load_ruleset(path).rules] == [r.id for r in load_ruleset(SHIPPED).rules]


def test_gbk_is_refused_at_its_first_byte_with_the_fix(tmp_path: Path) -> None:
    said = refused(tmp_path, TEXT.encode("gb18030"))
    line = next(i for i, text in enumerate(TEXT.splitlines(), 1) if any(ord(c) > 127 for c in text))
    col = next(i for i, c in enumerate(TEXT.splitlines()[line - 1], 1) if ord(c) > 127)
    first = TEXT.splitlines()[line - 1][col - 1].encode("gb18030")[0]  # the first Chinese character's first byte
    assert said == (f"rules.yaml:{line}:{col}: encoding: the ruleset file is not UTF-8 (it reads as GBK/GB18030): "
                    f"byte 0x{first:02X} cannot start or continue a UTF-8 character ({SAVE})")  # fmt: skip


def test_utf16_and_a_stray_latin1_byte_are_refused(tmp_path: Path) -> None:
    assert (
        refused(tmp_path, TEXT.encode("utf-16"))
        == f"rules.yaml:1:1: encoding: the ruleset file is saved as UTF-16 ({SAVE})"
    )
    data = TEXT.encode("utf-8")
    cut = data.index(b"\n", 2000)
    line = data.count(b"\n", 0, cut) + 1
    col = len(data[data.rfind(b"\n", 0, cut) + 1 : cut].decode("utf-8")) + 1 + len(" caf")
    said = refused(tmp_path, data[:cut] + b" caf\xe9" + data[cut:])
    assert said == (f"rules.yaml:{line}:{col}: encoding: the ruleset file is not UTF-8: byte 0xE9 cannot start or "
                    f"continue a UTF-8 character ({SAVE})")  # fmt: skip


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    said = refused(tmp_path, b"#" * (MAX_FILE_BYTES + 1))
    assert said == (f"rules.yaml:1:1: limit: the ruleset file is over {MAX_FILE_BYTES:,} bytes (the limit for one "
                    "file) (split it into several files)")  # fmt: skip


def test_deep_nesting_is_refused_where_it_passes_the_limit(tmp_path: Path) -> None:
    said = refused(tmp_path, ("ruleset: x\nrules: " + "[" * 600 + "]" * 600 + "\n").encode())
    assert said == (f"rules.yaml:2:{8 + MAX_DEPTH - 1}: limit: nested more than {MAX_DEPTH} levels deep (the limit) "
                    "(a ruleset needs a few levels; check the indentation)")  # fmt: skip


def test_an_alias_bomb_stops_at_the_value_limit_quickly(tmp_path: Path) -> None:
    lines = ["ruleset: x", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.process_time()
    said = refused(tmp_path, "\n".join(lines).encode())
    assert time.process_time() - started < 5
    assert said.endswith(f"limit: the file expands to more than {MAX_VALUES:,} values (the limit) (aliases (*name) "
                         "repeated inside one another multiply; write the values out)")  # fmt: skip


def test_too_many_aliases_and_a_loop(tmp_path: Path) -> None:
    many = "ruleset: x\nv: &v 1\nlist: [" + ", ".join(["*v"] * (MAX_ALIASES + 1)) + "]\n"
    assert "limit: more than 100 aliases (*name) in one file (the limit)" in refused(tmp_path, many.encode())
    loop = refused(tmp_path, b"ruleset: x\nrules: &r [1, *r]\n")
    assert loop == "rules.yaml:2:8: limit: an alias refers to the value that contains it (a loop) (remove the alias)"


def test_every_limit_reason_is_limit_or_encoding(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"ruleset: x\nrules: &r [1, *r]\n")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert {d.reason for d in caught.value.diagnostics} == {Reason.LIMIT}


RULE = """ruleset: t.limits
title: t
version: 1.0.0
params:
  huge: {{type: int, default: 1000000000000, description: a param far too large}}
rules:
  - id: t.one
    title: t
    family: appraisal
    basis: b
    disposition: d
    match:
      a: {where}
    grade: blue
    message: m
"""


def refused_rule(tmp_path: Path, where: str) -> str:
    return refused(tmp_path, RULE.format(where=where).encode("utf-8")).replace("rules.yaml:", "")


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("appraisal_result where year > " + "(" * 20 + "1" + ")" * 20,
         "13:56: expression-syntax [t.one]: brackets nested more than 16 deep (the limit) (name the inner parts in an "
         "indicator, or split the rule)"),
        ("appraisal_result where year > 10000000000000",
         "13:40: expression-syntax [t.one]: the number 10000000000000 is over 1,000,000,000,000 (the limit) (no rule "
         "needs a larger amount or count)"),
        ("appraisal_result where year(as_of) > 1800-01-01",
         "13:47: expression-syntax [t.one]: the date 1800-01-01 is outside 1900-01-01 .. 2200-12-31 (the limit)"),
        ("appraisal_result where year > " + " + ".join(["1"] * 60),
         "expression-syntax [t.one]: the expression is nested more than 48 operators deep (the limit)"),
        ("appraisal_result where year > " + "1" * 4_000,
         "expression-syntax [t.one]: the expression is over 4,000 characters (the limit)"),
    ],
)  # fmt: skip
def test_expression_limits(tmp_path: Path, where: str, said: str) -> None:
    assert said in refused_rule(tmp_path, where)


@pytest.mark.parametrize(
    ("part", "said"),
    [
        ("date(2026, 2, 30)",
         "`date(2026, 2, 30)` cannot be computed for as_of 2000-01-01: day is out of range for month"),
        ("date(0, 1, 1)", "`date(0, 1, 1)` cannot be computed for as_of 2000-01-01: year 0 is out of range"),
        ("as_of - years(1000000)",
         "`years(1000000)` is 12,000,000 months: longer than 1900-01-01 .. 2200-12-31, the dates a rule may use"),
        ("as_of + days(params.huge)",
         "`days(params.huge)` is 1,000,000,000,000 days: longer than 1900-01-01 .. 2200-12-31, the dates a rule "
         "may use"),
        ("as_of + days(200000)",
         "`days(200000)` is 200,000 days: longer than 1900-01-01 .. 2200-12-31, the dates a rule may use"),
        ("as_of - months(3613)",  # added to a fact's date it would leave the calendar in a scan (found by fuzzing)
         "`months(3613)` is 3,613 months: longer than 1900-01-01 .. 2200-12-31, the dates a rule may use"),
        ("as_of - years(150)",
         "`as_of - years(150)` is 1850-01-01 for as_of 2000-01-01: outside 1900-01-01 .. 2200-12-31, the dates a rule "
         "may use (as_of lies in 2000-01-01 .. 2100-12-31)"),
        ("as_of + years(150)",
         "`as_of + years(150)` is 2250-12-31 for as_of 2100-12-31: outside 1900-01-01 .. 2200-12-31"),
    ],
)  # fmt: skip
def test_dates_out_of_range_are_load_errors_at_the_pattern(tmp_path: Path, part: str, said: str) -> None:
    got = refused_rule(tmp_path, f"appraisal_result where year == year(as_of) - 1 and year({part}) > 0")
    assert got.startswith("13:10: limit [t.one]: ") and said in got, got


def test_a_century_either_side_of_as_of_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(RULE.format(where="appraisal_result where year(as_of - years(99)) < year and year < year(as_of + "
                                      "years(99))"), encoding="utf-8")  # fmt: skip
    assert [r.id for r in load_ruleset(path).rules] == ["t.one"]


def test_rules_per_file_list_lengths_and_param_magnitudes(tmp_path: Path) -> None:
    rule = RULE.split("rules:\n", 1)[1].format(where="appraisal_result where year > 0")
    many = (
        RULE.split("rules:\n", 1)[0].format()
        + "rules:\n"
        + "".join(rule.replace("t.one", f"t.r{i}") for i in range(501))
    )
    said = refused(tmp_path, many.encode())
    assert said.endswith("limit: 501 rules in one file; the limit is 500 (split the ruleset into several files)")
    items = ", ".join(["1"] * 1_001)
    said = refused_rule(tmp_path, f"appraisal_result where year in [{items}]")
    assert said == ("13:41: expression-syntax [t.one]: a list of 1,001 items; the limit is 1,000 (put long lists in a "
                    "list param, or a fact type)")  # fmt: skip
    huge = RULE.replace("default: 1000000000000", "default: 1000000000001").format(where="appraisal_result")
    assert refused(tmp_path, huge.encode()) == ("rules.yaml:5:30: limit: huge: 1e+12 is over 1,000,000,000,000 in "
                                                "magnitude (the limit)")  # fmt: skip


def test_a_rule_id_given_by_a_yaml_tag_is_located_not_a_traceback(tmp_path: Path) -> None:
    """Found by the long fuzz run: an id the schema accepts only after converting it (bytes from !!binary)
    lost the rule's place in the file, and the loader failed on a zip of unequal lengths."""
    path = tmp_path / "tagged.yaml"
    path.write_text(RULE.format(where="appraisal_result where year > 0").replace("id: t.one", "id: !!binary dC5vbmU="),
                    encoding="utf-8")  # fmt: skip
    try:
        loaded = load_ruleset(path)
    except RulesetError as exc:
        assert all(d.location.line > 0 and d.location.col > 0 for d in exc.diagnostics), exc
    else:
        assert [r.id for r in loaded.rules] == ["t.one"]


def test_an_explicit_tag_on_a_value_it_cannot_make_is_located_not_a_traceback(tmp_path: Path) -> None:
    """Found by the long fuzz run: `!!timestamp` on a condition made PyYAML raise AttributeError."""
    said = refused_rule(tmp_path, "!!timestamp 2026-13-45 appraisal_result where year > 0")
    assert said == ("13:10: expression-syntax [t.one]: a pattern reads `type where condition` (e.g. appointment "
                    "where end_date is null)")  # fmt: skip
