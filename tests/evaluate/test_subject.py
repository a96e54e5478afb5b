"""Engine.evaluate: typed facts in, graded alerts out, attributed to the right cadre, deterministic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from risk_warning import DirectorySource, Engine, Grade, load_rulesets
from risk_warning.sources import MemorySource

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


def demo_alerts(evaluator: str = "durable") -> list[tuple[str, str, str]]:
    facts = DirectorySource(ROOT / "fixtures" / "demo").load().facts
    with Engine(load_rulesets([ROOT / "rulesets"]), evaluator=evaluator) as engine:  # type: ignore[arg-type]
        return [(a.subject_id, a.rule_id, a.grade.value) for a in engine.evaluate(facts, AS_OF)]


def test_demo_raises_the_planted_alerts_and_nothing_on_the_clean_cadre() -> None:
    alerts = demo_alerts()
    assert ("C008", "discipline.influence-period", "red") in alerts
    assert ("C001", "rotation.keypost-tenure", "orange") in alerts
    assert ("C002", "travel.doc-return-overdue", "blue") in alerts
    assert not [a for a in alerts if a[0] == "C012"]
    assert {a[2] for a in alerts} == {"blue", "yellow", "orange", "red"}


def test_engine_and_reference_agree_on_the_demo() -> None:
    assert demo_alerts("durable") == demo_alerts("reference")


def test_alert_carries_evidence_basis_education_and_a_stable_fingerprint() -> None:
    records = {
        "appointment": [{"appointment_id": "A1", "cadre_id": "c1", "position_id": "p1", "start_date": "2018-01-01"}],
        "position": [{"position_id": "p1", "title": "财务科长", "risk_level": "high"}],
        "education_record": [
            {"record_id": "E1", "cadre_id": "c1", "type": "专题培训", "date": "2026-05-01", "hours": 4},
            {"record_id": "E2", "cadre_id": "c1", "type": "警示教育", "date": "2025-03-01", "hours": 2},
        ],
        "intervention": [{"intervention_id": "I1", "cadre_id": "c1", "type": "提醒谈话", "date": "2026-02-01"}],
    }
    facts = MemorySource.from_records(records).load().facts
    with Engine(load_rulesets([ROOT / "rulesets" / "core" / "rotation.yaml"])) as engine:
        (alert,) = engine.evaluate(facts, AS_OF)
        (again,) = engine.evaluate(facts, date(2026, 7, 1))
    assert alert.grade is Grade.ORANGE and alert.subject_id == "c1"
    assert alert.basis.startswith("《国家公务员职位轮换")
    assert {e.key for e in alert.evidence} == {"appointment:A1", "position:p1"}
    assert next(e for e in alert.evidence if e.alias == "a").fields["start_date"] == "2018-01-01"
    assert alert.education.last_education_type == "警示教育"
    assert alert.education.hours_12m == 0 and alert.education.sessions_12m == 0
    assert [i.type for i in alert.education.interventions_12m] == ["提醒谈话"]
    assert alert.recommended_education == "重点岗位廉政风险防控教育"
    assert again.fingerprint == alert.fingerprint  # the same condition the next night is the same alert


def test_names_in_messages_are_masked() -> None:
    from risk_warning import parse_ruleset

    rs = parse_ruleset(
        "ruleset: m\ntitle: t\nversion: 1.0.0\nrules:\n  - id: m.r\n    title: t\n    family: f\n    basis: b\n"
        "    disposition: d\n    match:\n      c: cadre\n    grade: blue\n    message: '{c.name}'\n",
        "<m>",
    )
    facts = MemorySource.from_records({"cadre": [{"cadre_id": "c1", "name": "欧阳修文"}]}).load().facts
    with Engine(rs) as engine:
        (alert,) = engine.evaluate(facts, AS_OF)
    assert alert.message == "欧***"
