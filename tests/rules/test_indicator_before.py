"""``before:`` on a count indicator (L3): one count per dated event, of the facts in the days before it; both
evaluators and the screen count alike, a site file can move the window, and a bad declaration is located."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.evaluate.subject import Engine
from risk_warning.facts.normalise import day_number, normalise
from risk_warning.plan.indicators import indicator_facts
from risk_warning.plan.partition import partition_facts
from risk_warning.plan.screen import Screen, member_frames
from risk_warning.rules.loader import parse_ruleset
from risk_warning.sources.memory import MemorySource

RULESET = """\
ruleset: site.surge
title: 突击
version: 1.0.0
subject: unit
params:
  window: {type: int, default: 30, description: 窗口}
indicators:
  moves:
    count: appointment
    where: type == "提拔"
    before: {event: org_change.date, field: start_date, days: params.window}
rules:
  - id: surge.moves
    title: 突击提拔
    family: selection
    basis: 任用条例
    disposition: 检查
    match:
      n: moves where value >= 2
      e: org_change where change_id == n.key
    grade: orange
    message: "{e.kind}前{n.value}人"
"""

AS_OF = date(2026, 6, 30)
STARTS = ("2026-05-02", "2026-05-31", "2026-05-01", "2026-03-02", "2026-03-01")


def records(*starts: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "org_change": [
            {"change_id": "g1", "org_unit_id": "u1", "kind": "机构改革", "date": "2026-05-31"},
            {"change_id": "g2", "org_unit_id": "u1", "kind": "主要负责人离任", "date": "2026-03-31"},
        ],
        "position": [{"position_id": "p1", "org_unit_id": "u1", "title": "科长"}],
        "appointment": [
            {"appointment_id": f"a{n}", "cadre_id": f"c{n}", "position_id": "p1", "start_date": d, "type": "提拔"}
            for n, d in enumerate(starts)
        ],
    }


@pytest.mark.parametrize("evaluator", ["durable", "reference"])
def test_one_count_per_event_with_the_window_open_at_the_start_and_closed_at_the_event(evaluator: str) -> None:
    rs = parse_ruleset(RULESET, "surge.yaml")
    facts = MemorySource.from_records(records(*STARTS)).load().facts
    with Engine([rs], evaluator=evaluator) as engine:  # type: ignore[arg-type]
        alerts = engine.evaluate(facts, AS_OF)
    # g1 (05-31) counts 05-02 (the 29th day before) and its own day, not 05-01 (the 30th); g2 (03-31) counts
    # 03-02 only: one, not enough
    assert [(a.subject_id, a.message) for a in alerts] == [("unit:u1", "机构改革前2人")]
    wider = rs.with_params({"window": 31})  # as a site file sets it: the 30th day before is in
    with Engine([wider], evaluator=evaluator) as engine:  # type: ignore[arg-type]
        messages = sorted(a.message for a in engine.evaluate(facts, AS_OF))
    assert messages == ["主要负责人离任前2人", "机构改革前3人"]


def test_the_screen_counts_as_the_evaluators_do() -> None:
    rs = parse_ruleset(RULESET, "surge.yaml")
    facts = MemorySource.from_records(records(*STARTS)).load().facts
    ((subject, members),) = [(s, m) for s, m in partition_facts(facts) if s == "unit:u1"]
    plain = [normalise(f) for f in members]
    by_facts = {(f.fields["key"], f.fields["value"]) for f in indicator_facts([rs], subject, plain, day_number(AS_OF))}
    screen = Screen([rs], day_number(AS_OF))
    frame = screen.indicator_frame(rs.indicators["moves"].fact_type, member_frames([(subject, plain)]), [subject])
    assert frame is not None
    by_frame = set(frame.select("key", "value").iter_rows())
    assert by_frame == by_facts == {("g1", 2), ("g2", 1)}
    assert frame.schema["value"] == pl.Int64


@pytest.mark.parametrize(
    ("before", "reason", "where"),
    [
        ("{event: org_chang.date, field: start_date, days: 30}", Reason.UNKNOWN_FACT_TYPE, "org_change"),
        ("{event: org_change.kind, field: start_date, days: 30}", Reason.TYPE_MISMATCH, "not a date"),
        ("{event: org_change.date, field: start, days: 30}", Reason.UNKNOWN_FIELD, "start_date"),
        ("{event: org_change.date, field: start_date, days: params.nope}", Reason.TYPE_MISMATCH, "int param"),
        ("{event: org_change.date, field: start_date, days: 0}", Reason.BAD_VALUE, "at least 1"),
        ("{event: decision_participation.date, field: start_date, days: 3}", Reason.WRONG_SUBJECT, "subject: cadre"),
    ],
)
def test_a_bad_before_is_an_error_at_its_place(before: str, reason: Reason, where: str) -> None:
    text = RULESET.replace("{event: org_change.date, field: start_date, days: params.window}", before)
    with pytest.raises(RulesetError) as info:
        parse_ruleset(text, "surge.yaml")
    found = [d for d in info.value.diagnostics if d.reason == reason]
    assert found, info.value.diagnostics
    assert found[0].location.line == 11
    assert where in found[0].message + found[0].suggestion


def test_before_is_for_a_count_without_by() -> None:
    text = RULESET.replace("    where: type ==", "    by: type\n    where: type ==")
    with pytest.raises(RulesetError, match="before: is for a count indicator"):
        parse_ruleset(text, "surge.yaml")
