"""Backtest expectation files (rules/expectations.py): every mistake located, with a suggestion where one is
close; the ruleset loader passes them by in a directory and refuses one given as a ruleset."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.rules.expectations import Count, expectation_files, load_expectations
from risk_warning.rules.loader import load_rulesets

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])

GOOD = """\
data_sets:
  demo: {demo}
backtests:
  - name: June
    data: demo
    from: 2026-06-02
    to: 2026-06-30
    step: week
    expect:
      rotation.keypost-tenure: {{exactly: 2}}
      travel.doc-return-overdue: {{at_least: 1, at_most: 3}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.expect.yaml"
    path.write_text(text.format(demo=ROOT / "fixtures" / "demo"), encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, int, Reason, str, str]]:
    with pytest.raises(RulesetError) as info:
        load_expectations(path, RULESETS)
    return [(d.location.line, d.location.col, d.reason, d.message, d.suggestion) for d in info.value.diagnostics]


def test_a_good_file_gives_each_rule_its_count_and_where_it_is_written(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    loaded = load_expectations(path, RULESETS)
    (first, second) = loaded.expectations
    assert (first.rule, str(first.count), first.where) == ("rotation.keypost-tenure", "exactly 2", f"{path}:10:7")
    assert (second.rule, str(second.count)) == ("travel.doc-return-overdue", "at least 1 and at most 3")
    assert first.data == (ROOT / "fixtures" / "demo").resolve() and first.backtest.step == "week"


def test_a_count_holds_within_its_bounds() -> None:
    assert Count(exactly=2).holds(2) and not Count(exactly=2).holds(3)
    assert Count(at_least=1).holds(1) and not Count(at_least=1).holds(0)
    assert Count(at_most=0).holds(0) and not Count(at_most=0).holds(1)
    between = Count(at_least=1, at_most=3)
    assert [between.holds(n) for n in range(5)] == [False, True, True, True, False]


def test_unknown_rules_and_data_sets_are_located_with_a_suggestion(tmp_path: Path) -> None:
    text = GOOD.replace("rotation.keypost-tenure", "rotation.keypost-tenur").replace("data: demo", "data: dmo")
    found = problems(write(tmp_path, text))
    assert found == [(5, 11, Reason.UNKNOWN_NAME, "unknown data set 'dmo'", "did you mean 'demo'?")]
    found = problems(write(tmp_path, GOOD.replace("rotation.keypost-tenure", "rotation.keypost-tenur")))
    assert found == [
        (10, 7, Reason.UNKNOWN_NAME, "unknown rule 'rotation.keypost-tenur'", "did you mean 'rotation.keypost-tenure'?")
    ]


def test_a_count_that_cannot_be_met_or_says_nothing_is_refused_where_it_is(tmp_path: Path) -> None:
    text = GOOD.replace("{{exactly: 2}}", "{{exactly: 2, at_least: 1}}").replace(
        "{{at_least: 1, at_most: 3}}", "{{at_least: 4, at_most: 3}}"
    )
    found = problems(write(tmp_path, text))
    assert [(line, reason) for line, _, reason, _, _ in found] == [(10, Reason.SCHEMA), (11, Reason.SCHEMA)]
    assert "not both" in found[0][3] and "at_least (4) is more than at_most (3)" in found[1][3]
    assert all("Value error" not in f[3] for f in found)
    found = problems(write(tmp_path, GOOD.replace("{{exactly: 2}}", "{{}}")))
    assert found[0][:2] == (10, 32) and "give exactly, at_least or at_most" in found[0][3]
    found = problems(write(tmp_path, GOOD.replace("{{exactly: 2}}", "{{exactly: -1}}")))
    assert found[0][0] == 10 and found[0][2] == Reason.SCHEMA


def test_unknown_keys_a_missing_folder_and_a_reversed_period(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("step: week", "stp: week")))
    assert found == [(8, 5, Reason.UNKNOWN_KEY, "unknown key 'stp'", "did you mean 'step'?")]
    found = problems(write(tmp_path, GOOD.replace("{{exactly: 2}}", "{{exactl: 2}}")))
    assert found[0][2:] == (Reason.UNKNOWN_KEY, "unknown key 'exactl'", "did you mean 'exactly'?")
    found = problems(write(tmp_path, GOOD.replace("demo: {demo}", "demo: no/such/folder")))
    assert found[0][:3] == (2, 9, Reason.BAD_VALUE) and "no directory" in found[0][3]
    found = problems(write(tmp_path, GOOD.replace("from: 2026-06-02", "from: 2026-07-02")))
    assert found[0][2] == Reason.SCHEMA and "ends (2026-06-30) before it starts (2026-07-02)" in found[0][3]


def test_the_loader_passes_them_by_in_a_directory_and_refuses_one_given_as_a_ruleset(tmp_path: Path) -> None:
    assert [p.name for p in expectation_files([ROOT / "rulesets"])] == ["core.expect.yaml"]
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "one.yaml").write_text((ROOT / "rulesets" / "core" / "travel.yaml").read_text(encoding="utf-8"))
    path = write(folder, GOOD)
    assert [rs.path for rs in load_rulesets([folder])] == [str(folder / "one.yaml")]
    with pytest.raises(RulesetError) as info:
        load_rulesets([path])
    assert "backtest expectation file" in str(info.value) and "--expect" in str(info.value)
