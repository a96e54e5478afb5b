"""Mutated shipped rulesets, as analysts' editors, careless merges and hostile units produce them: loading and
testing each never raises anything but a RulesetError whose every diagnostic is located, within 5 s of this
process's CPU time and 300 MB. (CPU, not wall time: on a shared CI machine wall time measures the neighbours,
and a mutant took 5.5 s of it beside the other worker's tests; a 60 s wall-clock alarm catches a hang.)

Mutations: token swaps, deleted and duplicated lines, indentation, wrong types, huge numbers, unicode, YAML
tags, anchors and aliases (bombs and loops), deep nesting, other encodings, and generated expressions in
place of a pattern's condition. `make test` runs RW_FUZZ_EXAMPLES (default 150, derandomized so CI is
repeatable); the long run is

    RW_FUZZ_EXAMPLES=10000 RW_FUZZ_RANDOM=1 .venv/bin/pytest -q -p no:cacheprovider tests/rules/test_fuzz_rulesets.py -s

and prints what it tried.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from risk_warning import RulesetError, load_ruleset
from risk_warning.errors import EngineError, EngineLimitError
from risk_warning.testing.ruletests import run_rule_tests

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in (ROOT / "rulesets" / "core").glob("*.yaml") if not p.name.endswith(".expect.yaml"))
EXAMPLES = int(os.environ.get("RW_FUZZ_EXAMPLES", "150"))
SECONDS, MEGABYTES = 5.0, 300
TRIED: Counter[str] = Counter()
WORST = {"seconds": 0.0, "MB": 0.0}  # the slowest mutant's time and the largest growth of memory

FIELDS = ["amount", "year", "start_date", "end_date", "grade", "a.amount", "b.start_date", "params.x", "as_of"]
OPERATORS = ["+", "-", "*", "/", "==", "!=", "<", ">=", "and", "or", "in", "=>"]
FUNCTIONS = ["days", "months", "years", "date", "year", "weekday", "add_workdays", "workdays_between", "nope"]


def expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.sampled_from(FIELDS),
        st.integers(-(10**15), 10**15).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.dates().map(lambda d: d.isoformat()),
        st.text(max_size=8).map(lambda t: '"' + t.replace('"', "") + '"'),
        st.sampled_from(["null", "true", "false", "[]", "()", ""]),
    )

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(" ".join),
            st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(
                lambda f: f"{f[0]}({', '.join(f[1])})"
            ),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"not {e}"),
            st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        )

    return st.recursive(leaf, grow, max_leaves=12)


class Mutant(bytes):
    """A mutated file; shown by its mutations, not its 30 KB (a failing example is printed)."""

    names: str

    def __repr__(self) -> str:
        return f"<{self.names}: {len(self)} bytes, {hashlib.sha256(self).hexdigest()[:12]}>"


def mutant(names: str, data: bytes) -> Mutant:
    made = Mutant(data)
    made.names = names
    return made


@st.composite
def mutants(draw: st.DrawFn) -> Mutant:
    path = draw(st.sampled_from(FILES))
    text = path.read_text(encoding="utf-8")
    kinds = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    for kind in kinds:
        text = kind(draw, text)
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "gb18030", "utf-16", "latin-stray"]))
    names = "+".join(k.__name__ for k in kinds) + ("" if encoding == "utf-8" else f"+{encoding}")
    if encoding == "latin-stray":
        data = text.encode("utf-8")
        at = draw(st.integers(0, len(data)))
        return mutant(names, data[:at] + b"\xe9" + data[at:])
    return mutant(names, text.encode(encoding, errors="replace"))


def _lines(draw: st.DrawFn, text: str) -> tuple[list[str], int]:
    lines = text.splitlines()
    return lines, draw(st.integers(0, max(0, len(lines) - 1)))


def swap_tokens(draw: st.DrawFn, text: str) -> str:
    tokens = re.split(r"(\s+)", text)
    words = [i for i, t in enumerate(tokens) if t.strip()]
    a, b = draw(st.sampled_from(words)), draw(st.sampled_from(words))
    tokens[a], tokens[b] = tokens[b], tokens[a]
    return "".join(tokens)


def delete_line(draw: st.DrawFn, text: str) -> str:
    lines, at = _lines(draw, text)
    return "\n".join(lines[:at] + lines[at + 1 :])


def duplicate_line(draw: st.DrawFn, text: str) -> str:
    lines, at = _lines(draw, text)
    return "\n".join(lines[: at + 1] + lines[at:])


def indent(draw: st.DrawFn, text: str) -> str:
    lines, at = _lines(draw, text)
    shift = draw(st.sampled_from([-4, -2, -1, 1, 2, 3, 8]))
    lines[at] = " " * shift + lines[at] if shift > 0 else lines[at][-shift:]
    return "\n".join(lines)


def wrong_type(draw: st.DrawFn, text: str) -> str:
    values = list(re.finditer(r":\s+([^\n#]+)", text))
    if not values:
        return text
    m = draw(st.sampled_from(values))
    new = draw(st.sampled_from(["[1, 2]", "{a: 1}", "true", "null", "-1", "1e400", "'text'", "2026-02-30", "~"]))
    return text[: m.start(1)] + new + text[m.end(1) :]


def huge_number(draw: st.DrawFn, text: str) -> str:
    numbers = list(re.finditer(r"\b\d+\b", text))
    if not numbers:
        return text
    m = draw(st.sampled_from(numbers))
    new = draw(st.sampled_from(["9" * 40, "1" + "0" * 12, "-" + "9" * 20, "1e308", "0", "10000000"]))
    return text[: m.start()] + new + text[m.end() :]


def unicode(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.text(min_size=1, max_size=6)) + text[at:]


def yaml_tag(draw: st.DrawFn, text: str) -> str:
    lines, at = _lines(draw, text)
    tag = draw(st.sampled_from(["!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!!set {a, b}",
                                "!!omap [a: 1]", "!custom x", "!!timestamp 2026-13-45", "!!float nan"]))  # fmt: skip
    lines[at] = re.sub(r":\s+(\S.*)$", f": {tag}", lines[at]) if ":" in lines[at] else lines[at] + " " + tag
    return "\n".join(lines)


def anchors(draw: st.DrawFn, text: str) -> str:
    choice = draw(st.sampled_from(["bomb", "loop", "alias"]))
    if choice == "bomb":
        bomb = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        bomb += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 8)}]" for i in range(1, 9)]
        return text + "\n" + "\n".join(bomb) + "\n"
    if choice == "loop":
        return text.replace("rules:", "rules: &loop", 1) + "\nagain: [*loop, *loop]\n"
    return text.replace("params:", "params: &p", 1) + "\nextra: *p\n"


def deep_nesting(draw: st.DrawFn, text: str) -> str:
    depth = draw(st.sampled_from([40, 300, 2000]))
    opener = draw(st.sampled_from(["[", "{a: ", "- "]))
    if opener == "- ":
        nest = "".join("  " * i + "- \n" for i in range(depth))
        return text + "\nnest:\n" + nest
    closer = "]" if opener == "[" else "}"
    return text + f"\nnest: {opener * depth}1{closer * depth}\n"


def expression(draw: st.DrawFn, text: str) -> str:
    conditions = list(re.finditer(r"(\w+: (?:none )?\w+ where )([^\n]+)", text))
    if not conditions:
        return text
    m = draw(st.sampled_from(conditions))
    return text[: m.start(2)] + draw(expressions()).replace("\n", " ") + text[m.end(2) :]


MUTATIONS = [swap_tokens, delete_line, duplicate_line, indent, wrong_type, huge_number, unicode, yaml_tag,
             anchors, deep_nesting, expression]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Load and test one shipped file first: the first load pays for imports and the engine's set-up (seconds
    on a busy machine), which is not the mutant's time."""
    run_rule_tests([load_ruleset(FILES[0])])


def kept(names: str, data: bytes) -> Path:
    """A failing mutant, kept for a look (RW_FUZZ_KEEP, else the temporary directory)."""
    folder = Path(os.environ.get("RW_FUZZ_KEEP") or tempfile.gettempdir())
    path = folder / f"fuzz-{hashlib.sha256(data).hexdigest()[:12]}.yaml"
    path.write_bytes(data)
    return path


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("RW_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.explicit, Phase.generate],
)  # fmt: skip  (shrinking a whole file takes minutes: the mutation is named)
@given(mutant=mutants())
def test_a_mutated_ruleset_loads_or_is_refused_with_located_errors(
    mutant: Mutant, tmp_path_factory: pytest.TempPathFactory
) -> None:
    names, data = mutant.names, bytes(mutant)
    path = tmp_path_factory.mktemp("fuzz") / "mutant.yaml"
    path.write_bytes(data)
    rss_before = psutil.Process().memory_info().rss
    started = time.process_time()
    outcome = "loaded"
    with alarm(60):  # a hang is a failure, not a stuck CI
        try:
            ruleset = load_ruleset(path)
        except RulesetError as exc:
            outcome = "refused"
            assert exc.diagnostics, names
            for d in exc.diagnostics:
                assert d.location.path == str(path) and d.location.line > 0 and d.location.col > 0, (names, str(d))
        else:
            try:
                run_rule_tests([ruleset])
            except (EngineLimitError, EngineError) as exc:  # said in one line by the CLI (exit 2)
                outcome = f"engine: {type(exc).__name__}"
    seconds = time.process_time() - started
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before) / 2**20
    TRIED[outcome] += 1
    WORST["seconds"], WORST["MB"] = max(WORST["seconds"], seconds), max(WORST["MB"], peak_mb)
    assert seconds < SECONDS, (names, seconds, str(kept(names, data)))
    assert peak_mb < MEGABYTES, (names, peak_mb, str(kept(names, data)))


SITE = """params:
  core.rotation.keypost_years: 6
  core.finance.near_tier_ratio: 0.9
rules:
  travel.doc-return-overdue: {status: disabled}
  finance.near-tier-claims: {grade: blue}
tests:
  - name: a decision 29 days ago is in our window
    as_of: 2026-06-30
    facts:
      decision_participation:
        - {cadre_id: c1, decision_id: D1, kind: 审批, date: 2026-06-01, counterparty_credit_code: E1}
      relative: [{cadre_id: c1, relation: 配偶, employer_credit_code: E1, employer_role: 股东}]
    expect: [{rule: conflict.recusal-missing, subject: c1, grade: red}]
"""
CALENDAR = """# 2027 工作日历
years: [2027]
holidays:
  - 2027-01-01
  - {from: 2027-02-06, to: 2027-02-12}
workdays: [2027-02-14]
"""
MAPPING = """files:
  干部信息: cadre
  任免记录: appointment
  岗位: position
columns:
  "*": {人员代码: cadre_id, 岗位代码: position_id}
  position: {风险等级: risk_level}
ignore: [序号, 备注]
values:
  cadre.gender: GB/T 2261.1
  cadre.political_status: GB/T 4762
  position.risk_level: {高: high, 中: medium, 低: low}
"""
SITE_FILES = {"site": SITE, "calendar": CALENDAR, "mapping": MAPPING}
SITE_MUTATIONS = [swap_tokens, delete_line, duplicate_line, indent, wrong_type, huge_number, unicode, yaml_tag,
                  anchors, deep_nesting]  # fmt: skip
CORE: Any = None


@st.composite
def site_mutants(draw: st.DrawFn) -> tuple[str, Mutant]:
    kind = draw(st.sampled_from(sorted(SITE_FILES)))
    text = SITE_FILES[kind]
    kinds = draw(st.lists(st.sampled_from(SITE_MUTATIONS), min_size=1, max_size=3))
    for mutation in kinds:
        text = mutation(draw, text)
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "gb18030", "utf-16"]))
    return kind, mutant("+".join(k.__name__ for k in kinds) + f"+{encoding}", text.encode(encoding, "replace"))


def test_the_unmutated_site_calendar_and_mapping_files_load(tmp_path: Path) -> None:
    """The seeds are valid, so a refusal of a mutant is the mutation's doing."""
    for kind, text in SITE_FILES.items():
        path = tmp_path / f"{kind}.yaml"
        path.write_text(text, encoding="utf-8")
        _load_site_file(kind, path)


def _core() -> Any:
    """The shipped rulesets, loaded once per worker and outside the timed part (they are not the mutant)."""
    global CORE
    if CORE is None:
        from risk_warning import load_rulesets

        CORE = load_rulesets(["core"])
    return CORE


def _load_site_file(kind: str, path: Path) -> None:
    from risk_warning.rules.calendar_file import load_calendar
    from risk_warning.rules.overrides import apply_overrides, site_tests
    from risk_warning.sources.mapping import load_mapping

    if kind == "site":
        apply_overrides(_core(), path)
        site_tests(path)
    elif kind == "calendar":
        load_calendar(path)
    else:
        load_mapping(path)


@settings(
    max_examples=max(1, EXAMPLES // 3),
    deadline=None,
    derandomize=not os.environ.get("RW_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.explicit, Phase.generate],
)  # fmt: skip
@given(case=site_mutants())
def test_a_mutated_site_calendar_or_mapping_file_loads_or_is_refused_with_located_errors(
    case: tuple[str, Mutant], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from risk_warning.errors import MappingError

    kind, data = case[0], bytes(case[1])
    names = f"{kind}: {case[1].names}"
    path = tmp_path_factory.mktemp("fuzz") / f"{kind}.yaml"
    path.write_bytes(data)
    _core()
    started = time.process_time()
    outcome = f"{kind} loaded"
    with alarm(60):
        try:
            _load_site_file(kind, path)
        except (RulesetError, MappingError) as exc:
            outcome = f"{kind} refused"
            assert exc.diagnostics, names
            for d in exc.diagnostics:
                assert d.location.path == str(path), (names, str(d))
                assert d.location.line > 0 and d.location.col > 0, (names, str(d))
    seconds = time.process_time() - started
    TRIED[outcome] += 1
    assert seconds < SECONDS, (names, seconds, str(kept(names, data)))


def test_zz_report_what_the_fuzzing_tried() -> None:
    if TRIED:
        print(f"\nfuzz: {sum(TRIED.values())} mutants: {dict(TRIED)}; slowest {WORST['seconds']:.2f} s, "
              f"memory grown at most {WORST['MB']:.0f} MB")  # fmt: skip
