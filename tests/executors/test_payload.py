"""Partitions as Arrow IPC (executors/payload.py): what a Dask task carries comes back as the same facts."""

from __future__ import annotations

from pathlib import Path

from risk_warning import DirectorySource, load_rulesets
from risk_warning.executors.payload import pack, unpack
from risk_warning.facts.personnel import Cadre
from risk_warning.plan.partition import partition_facts
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]


def same(a: object, b: object) -> bool:
    return type(a) is type(b) and repr(a.__dict__) == repr(b.__dict__) and a.month_only == b.month_only  # type: ignore[attr-defined]


def test_generated_partitions_come_back_equal_in_order_with_shared_facts_shared(tmp_path: Path) -> None:
    generate(load_rulesets([ROOT / "rulesets"]), tmp_path, cadres=120, seed=5)
    partitions = list(partition_facts(DirectorySource(tmp_path).load().facts))
    partitions += list(partition_facts(DirectorySource(ROOT / "fixtures" / "demo").load().facts))
    partitions[0][1][0].mark_month_only(frozenset({"start_date"}))  # "2019.03", read as the 1st: the evidence says so
    back = unpack(pack(partitions))
    assert [s for s, _ in back] == [s for s, _ in partitions] and len(partitions) > 120
    for (subject, facts), (_, again) in zip(partitions, back, strict=True):
        assert len(facts) == len(again) and all(same(a, b) for a, b in zip(facts, again, strict=True)), subject
    assert back[0][1][0].month_only == {"start_date"}
    # a fact in several partitions (a post, a unit) is sent once and made once
    shared = {id(f) for _, facts in partitions for f in facts}
    assert len({id(f) for _, facts in back for f in facts}) == len(shared)


def test_a_personal_identifier_a_caller_left_in_never_crosses_the_wire() -> None:
    cadre = Cadre(cadre_id="C1", name="张三", id_card_no="110101197203150038", phone="13800138001")
    packed = pack([("C1", [cadre])])
    assert not any(b"110101197203150038" in blob or b"13800138001" in blob for blob in packed.values())
    ((_, [back]),) = unpack(packed)
    assert back.id_card_no is None and back.phone is None and back.name == "张三"  # type: ignore[attr-defined]
