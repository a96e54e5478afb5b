"""Nightly incremental scans give the stored result of full scans, while skipping most subjects."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, MemorySource, ScanResult, load_rulesets, scan
from risk_warning.facts._base import Fact
from risk_warning.facts.integrity import Complaint, EducationRecord, Intervention, TravelDocument
from risk_warning.store.tables import AlertStatus

ROOT = Path(__file__).resolve().parents[2]
BASE = DirectorySource(ROOT / "fixtures" / "demo").load().facts
START = date(2026, 6, 20)


def facts_on(night: int) -> list[Fact]:
    """The demo data as it changes over the month: records added, corrected and removed."""
    facts = list(BASE)
    # records that leave the alerts' 12-month education context during the month
    facts.append(Intervention(intervention_id="OLD1", cadre_id="C005", type="提醒谈话", date=date(2025, 7, 5)))
    facts.append(EducationRecord(record_id="OLD2", cadre_id="C006", type="廉政党课", date=date(2025, 7, 10), hours=2))
    # a 函询 with no due date: due 15 working days after it was sent (07-15), overdue from night 26 (07-16);
    # the horizon must find that day through add_workdays (plan/horizon.Site.transform)
    facts.append(Intervention(intervention_id="HQ1", cadre_id="C003", type="函询", date=date(2026, 6, 24)))
    if night >= 5:  # C001 attends warning education: the J1 alert clears
        facts.append(EducationRecord(record_id="N1", cadre_id="C001", type="警示教育", date=START + timedelta(4)))
    if night >= 12:  # C004 hands the passport in
        facts = [f for f in facts if not (isinstance(f, TravelDocument) and f.doc_id == "T001")]
        facts.append(
            TravelDocument(
                doc_id="T001",
                cadre_id="C004",
                doc_type="普通护照",
                issue_date=date(2026, 6, 10),
                custody_status="in_custody",
            )
        )
    if night >= 20:  # two complaints about C006
        for i in (1, 2):
            facts.append(
                Complaint(
                    complaint_id=f"NQ{i}", received_at=START + timedelta(19), named=True, subject_cadre_ids=["C006"]
                )
            )
    if night >= 25:  # C011's appraisal record is withdrawn
        facts = [f for f in facts if getattr(f, "appraisal_id", None) != "AP01"]
    return facts


def keyed(result: ScanResult) -> list[tuple[str, str]]:
    return [(a.fingerprint, a.grade.value) for a in result.alerts]


def state(store: AlertStore) -> list[tuple[object, ...]]:
    return sorted(
        (r.fingerprint, r.grade, r.status, r.first_seen, r.last_seen, r.cleared_at, str(r.education))
        for r in store.alerts()
    )


@pytest.mark.parametrize(
    "selection",
    [["rulesets"], ["rulesets/core/travel.yaml", "rulesets/core/rotation.yaml"]],
    ids=["all-rules", "no-education-rules"],  # the second leaves the education-context windows on their own
)
def test_a_month_of_incremental_nights_equals_a_month_of_full_nights(tmp_path: Path, selection: list[str]) -> None:
    rulesets = load_rulesets([ROOT / s for s in selection])
    full = AlertStore(f"sqlite:///{tmp_path / 'full.db'}")
    incremental = AlertStore(f"sqlite:///{tmp_path / 'incremental.db'}")
    carried: list[int] = []
    skipped: list[int] = []  # subjects carried, or answered by the screen, rather than evaluated again
    nights = [START + timedelta(days=n) for n in range(40)] + [date(2027, 1, 30) + timedelta(days=n) for n in range(5)]
    for n, as_of in enumerate(nights):
        source = MemorySource(facts_on(n))
        expected = scan(rulesets, source, as_of, store=full, full=True)
        result = scan(rulesets, source, as_of, store=incremental, full=False)
        carried.append(result.carried_subjects)
        skipped.append(result.carried_subjects + len(result.screened_subjects))
        assert state(incremental) == state(full), f"night {n} ({as_of})"
        assert keyed(result) == keyed(expected), f"night {n} ({as_of})"
        if n == 3:  # a person marks an alert false positive in both stores: it must age the same way
            for store in (full, incremental):
                row = next(r for r in store.alerts() if r.subject_id == "C004")
                store.transition(row.id or 0, AlertStatus.FALSE_POSITIVE, "监督科", "证照已交回")
    assert carried[0] == 0 and sum(1 for c in carried if c > 0) >= 30  # most nights carry subjects
    if len(selection) == 1:  # the 函询 turned overdue on the night the horizon said, not before or after
        overdue = [
            r for r in full.alerts() if r.rule_id == "complaints.inquiry-reply-overdue" and r.subject_id == "C003"
        ]
        assert [r.first_seen for r in overdue] == [date(2026, 7, 16)]
    assert max(skipped) >= 6
    assert {r.status for r in full.alerts()} >= {"new", "cleared"} or len(selection) > 1
    full.close()
    incremental.close()


def test_the_store_own_history_never_makes_an_unchanged_subject_look_changed(tmp_path: Path) -> None:
    """Night two of the same export re-evaluates only subjects whose validity horizon has passed (or that
    the screen stopped last night and lets through tonight): the signals tonight's alerts become, alerts
    cleared tonight and the store's watch do not change a hash. The result still equals a full scan's."""
    from risk_warning.testing.synthetic import generate

    rulesets = load_rulesets([ROOT / "rulesets"])
    generate(rulesets, tmp_path / "org", cadres=300, seed=3)
    source = MemorySource(DirectorySource(tmp_path / "org").load().facts)
    day1, day2 = date(2026, 6, 30), date(2026, 7, 1)
    store = AlertStore(f"sqlite:///{tmp_path / 'nightly.db'}")
    full = AlertStore(f"sqlite:///{tmp_path / 'full.db'}")
    first = scan(rulesets, source, day1, store=store, full=False)
    scan(rulesets, source, day1, store=full, full=True)
    assert first.alerts and first.carried_subjects == 0
    assert first.planned_subjects + len(first.screened_subjects) == first.subjects
    horizons = {subject: s.valid_until for subject, s in store.subject_states().items()}
    second = scan(rulesets, source, day2, store=store, full=False)
    expected = scan(rulesets, source, day2, store=full, full=True)
    passed = {subject for subject, until in horizons.items() if until < day2}
    evaluated = set(second.subjects_seen) - set(second.screened_subjects)  # by the engine's path
    valid = set(horizons) - passed
    assert not evaluated & valid, sorted(evaluated & valid)[:10]  # nothing still valid is evaluated again
    assert passed <= set(second.subjects_seen)  # by the engine's path, or answered by the screen
    # the others evaluated had no state: the screen stopped them last night, and tonight a date passed
    assert not (evaluated - passed) & set(horizons)
    assert second.planned_subjects < first.subjects / 5
    assert keyed(second) == keyed(expected) and state(store) == state(full)
    store.close()
    full.close()
