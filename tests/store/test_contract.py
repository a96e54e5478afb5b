"""One contract for every store backend (SQLite file, PostgreSQL server): identity, history, lifecycle, lease."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, MemorySource, load_rulesets, scan
from risk_warning.alerts.model import Alert
from risk_warning.grade import Grade
from risk_warning.run.input_check import InputPolicy
from risk_warning.store.repository import AlertFilter, ScanInProgressError, StoreError
from risk_warning.store.tables import AlertStatus

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
DEMO = DirectorySource(ROOT / "fixtures" / "demo")


def test_rerun_is_idempotent_and_persistent_conditions_move_last_seen(store_url: str) -> None:
    store = AlertStore(store_url)
    first = scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    again = scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    later = scan(RULESETS, DEMO, date(2026, 7, 1), store=store)
    rows = store.alerts()
    assert first.new_alerts == len(first.alerts) == 13
    assert again.new_alerts == 0 and again.cleared_alerts == 0
    assert len(rows) == len({r.fingerprint for r in rows})
    kept = {a.fingerprint for a in first.alerts} & {a.fingerprint for a in later.alerts}
    for row in rows:
        if row.fingerprint in kept:
            assert (row.first_seen, row.last_seen) == (date(2026, 6, 30), date(2026, 7, 1))
    assert [r.status for r in store.scans()] == ["completed"] * 3
    assert {r.org_unit_id for r in rows} == {"U01", "U02"}
    store.close()


def _records(start: str, grade_year: int = 2025) -> MemorySource:
    return MemorySource.from_records(
        {
            "cadre": [{"cadre_id": "c1"}],
            "appointment": [{"appointment_id": "A1", "cadre_id": "c1", "position_id": "p1", "start_date": start}],
            "position": [{"position_id": "p1", "title": "财务科长", "risk_level": "high"}],
            "education_record": [{"record_id": "E1", "cadre_id": "c1", "type": "警示教育", "date": "2026-06-01"}],
        }
    )


def test_grade_change_clearing_and_reopening_are_recorded(store_url: str) -> None:
    store = AlertStore(store_url)
    as_of = date(2026, 6, 30)
    scan(RULESETS, _records("2021-06-01"), as_of, store=store)  # five years: yellow
    scan(RULESETS, _records("2020-06-01"), as_of, store=store)  # six years: orange
    (row,) = store.alerts()
    assert row.grade == "orange"
    only_cadre = MemorySource.from_records({"cadre": [{"cadre_id": "c1"}]})
    gone = scan(RULESETS, only_cadre, as_of, store=store, policy=InputPolicy(accepted_by="组织部 (records withdrawn)"))
    assert gone.cleared_alerts == 1
    assert store.alert(row.id or 0).status == AlertStatus.CLEARED
    back = scan(RULESETS, _records("2020-06-01"), as_of, store=store)
    assert back.new_alerts == 0
    actions = [(h.action, h.from_grade, h.to_grade, h.to_status) for h in store.history(row.id or 0)]
    assert actions == [
        ("created", None, "yellow", "new"),
        ("grade_changed", "yellow", "orange", "new"),
        ("cleared", None, None, "cleared"),
        ("reopened", None, None, "new"),
    ]
    # the histories of many alerts in one read are each alert's own; an unknown id has none
    assert store.histories([row.id or 0, 999]) == {row.id: store.history(row.id or 0), 999: []}
    assert store.histories() == {row.id: store.history(row.id or 0)}
    store.close()


def test_lifecycle_transitions_need_a_reason_and_an_actor(store_url: str) -> None:
    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    red, other = (store.alerts(AlertFilter(grade="red")) + store.alerts(AlertFilter(grade="blue")))[:2]
    with pytest.raises(StoreError, match="needs a reason"):
        store.transition(red.id or 0, AlertStatus.FALSE_POSITIVE, "张科长")
    with pytest.raises(StoreError, match="can move to"):
        store.transition(red.id or 0, AlertStatus.CLOSED, "张科长")
    triaged = store.transition(red.id or 0, AlertStatus.TRIAGED, "监督科", "核实数据无误")
    assert triaged.status == "triaged"
    store.transition(other.id or 0, AlertStatus.FALSE_POSITIVE, "监督科", "证照已于系统外交回")
    fp_history = store.history(other.id or 0)[-1]
    assert (fp_history.actor, fp_history.action, fp_history.reason) == (
        "监督科",
        "false_positive",
        "证照已于系统外交回",
    )
    # a scan never reopens or clears an alert a person marked false positive
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    assert store.alert(other.id or 0).status == "false_positive"
    store.close()


def test_suppression_hides_until_its_date_and_keeps_the_alert(store_url: str) -> None:
    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    total = len(store.alerts())
    store.suppress("C006", date(2026, 7, 15), "经审批的专项报销，已核实", "财务处", rule_id="finance.near-tier-claims")
    visible = store.alerts(AlertFilter())
    assert len(visible) == total - 1
    assert len(store.alerts(AlertFilter(include_suppressed=True))) == total
    scan(RULESETS, DEMO, date(2026, 7, 16), store=store)  # the day after the suppression ends
    assert len(store.alerts(AlertFilter(subject_id="C006"))) == 2
    store.close()


def test_filters(store_url: str) -> None:
    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    assert {r.grade for r in store.alerts(AlertFilter(grade="red"))} == {"red"}
    assert {r.family for r in store.alerts(AlertFilter(family="travel"))} == {"travel"}
    assert {r.org_unit_id for r in store.alerts(AlertFilter(org_unit_id="U02"))} == {"U02"}
    assert store.alerts(AlertFilter(since=date(2026, 7, 1))) == []
    store.close()


def test_only_one_scan_holds_the_lease(store_url: str) -> None:
    store = AlertStore(store_url)
    store.acquire_lease("nightly-1")
    with pytest.raises(ScanInProgressError, match="held by nightly-1"):
        store.acquire_lease("manual-2")
    with pytest.raises(ScanInProgressError):
        scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    store.acquire_lease("nightly-1")  # renewal by the holder
    store.release_lease("nightly-1")
    store.acquire_lease("manual-2")
    store.release_lease("manual-2")
    store.acquire_lease("expired-3", ttl=timedelta(seconds=-1))
    store.acquire_lease("manual-4")  # an expired lease can be taken over
    store.close()


def test_a_killed_scan_is_marked_abandoned_by_the_next(store_url: str) -> None:
    store = AlertStore(store_url)
    store.start_scan(date(2026, 6, 30), "x")  # as if the process died right after
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    assert [r.status for r in store.scans()] == ["abandoned", "completed"]
    store.close()


def test_a_lease_held_by_a_dead_process_on_this_host_is_taken_over(store_url: str) -> None:
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store = AlertStore(store_url)
    store.acquire_lease(f"{socket.gethostname()}:{dead.stdout.strip()}:x")
    store.acquire_lease("next-scan")  # no wait for the ten-minute expiry
    with pytest.raises(ScanInProgressError):
        store.acquire_lease(f"{socket.gethostname()}:{dead.stdout.strip()}:y")  # the live holder keeps it
    other_host = AlertStore(store_url)
    other_host.release_lease("next-scan")
    other_host.acquire_lease("elsewhere:1:z")
    with pytest.raises(ScanInProgressError):
        other_host.acquire_lease("next-scan")  # a holder on another host is waited for
    store.close()
    other_host.close()


def test_answers_are_detached_records_that_outlive_the_store(store_url: str) -> None:
    """Queries and actions answer with plain records (no ORM rows): usable after the store closed,
    dumpable to JSON, and changing one changes nothing stored."""
    from pydantic import ValidationError

    from risk_warning.store.stored import StoredAlert, StoredChange, StoredScan

    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    rows, scans = store.alerts(), store.scans()
    first = rows[0]
    triaged = store.transition(first.id, AlertStatus.TRIAGED, "张审核")
    history = store.history(first.id)
    store.close()
    assert all(type(r) is StoredAlert for r in rows) and type(triaged) is StoredAlert
    assert type(scans[0]) is StoredScan and all(type(h) is StoredChange for h in history)
    assert triaged.status == "triaged" and history[-1].to_status == "triaged"
    assert '"fingerprint"' in first.model_dump_json()
    with pytest.raises(ValidationError):
        first.status = "closed"  # type: ignore[misc]
    reopened = AlertStore(store_url)
    assert reopened.alert(first.id).status == "triaged"
    reopened.close()


def _alert(subject: str, as_of: date, grade: str = "yellow") -> Alert:
    return Alert(
        fingerprint=f"fp-{subject}",
        rule_id="tenure.long",
        ruleset_id="core.tenure",
        ruleset_version="1",
        ruleset_hash="h",
        subject_id=subject,
        grade=Grade(grade),
        score=Grade(grade).score,
        family="tenure",
        title="任职时间过长",
        message="m",
        basis="b",
        disposition="d",
        recommended_education="e",
        evidence=[],
        as_of=as_of,
    )


def test_a_scan_of_more_than_70000_subjects_is_recorded_and_the_next_one_too(store_url: str) -> None:
    """Past PostgreSQL's 65,535 parameters per statement: every IN list and bulk write is chunked."""
    store = AlertStore(store_url)
    day1, day2 = date(2026, 6, 30), date(2026, 7, 1)
    subjects = [f"C{i:06d}" for i in range(70_001)]
    flagged = subjects[::7]  # 10,001 alerts
    scan_id = store.start_scan(day1, "h")
    states = {s: (f"hash-{s}", day1 + timedelta(days=30)) for s in subjects}
    new, cleared = store.finish_scan(scan_id, [_alert(s, day1) for s in flagged], [], subjects, states=states)
    assert (new, cleared) == (len(flagged), 0)
    # night two: the first 40,000 carried, the rest evaluated; of those, every 14th still alerts, now orange
    carried, evaluated = subjects[:40_000], subjects[40_000:]
    before = [s for s in evaluated if int(s[1:]) % 7 == 0]
    still = [s for s in before if int(s[1:]) % 14 == 0]
    again = store.start_scan(day2, "h")
    states2 = {s: (f"hash-{s}", day2 + timedelta(days=30)) for s in evaluated}
    tonight = [_alert(s, day2, "orange") for s in still]
    new2, cleared2 = store.finish_scan(again, tonight, [], evaluated, carried=carried, states=states2)
    gone = [s for s in before if int(s[1:]) % 14 != 0]
    assert (new2, cleared2) == (0, len(gone))
    rows = {r.subject_id: r for r in store.alerts()}
    assert len(rows) == len(flagged)
    assert all(rows[s].last_seen == day2 and rows[s].status == "new" for s in carried[::7])
    assert all(rows[s].grade == "orange" and rows[s].last_seen == day2 for s in still)
    assert all(rows[s].status == AlertStatus.CLEARED and rows[s].cleared_at == day2 for s in gone)
    changes = store.history(rows[still[0]].id)
    assert [c.action for c in changes] == ["created", "grade_changed"]
    assert [c.action for c in store.history(rows[gone[0]].id)] == ["created", "cleared"]
    assert store.subject_states()[subjects[0]].seen_on == day2
    assert store.subject_states()[subjects[-1]].evaluated_as_of == day2
    store.close()


def test_an_alert_of_a_rule_a_site_disables_is_retired_not_cleared_and_reopens_when_enabled(
    store_url: str, tmp_path: Path
) -> None:
    """Disabling a rule says nothing of the condition: its open alerts are `retired`, naming the site file;
    the rule enabled again and still firing opens the same alert anew."""
    store = AlertStore(store_url)
    as_of = date(2026, 6, 30)
    scan(RULESETS, _records("2020-06-01"), as_of, store=store)
    (row,) = store.alerts()
    assert row.rule_id == "rotation.keypost-tenure"
    site = tmp_path / "site.yaml"
    site.write_text("rules:\n  rotation.keypost-tenure: {status: disabled}\n", encoding="utf-8")
    disabled = scan(load_rulesets([ROOT / "rulesets"], overrides=site), _records("2020-06-01"), as_of, store=store)
    assert disabled.cleared_alerts == 0
    retired = store.alert(row.id or 0)
    assert retired.status == AlertStatus.RETIRED
    (last,) = [h for h in store.history(row.id or 0) if h.action == "retired"]
    assert last.to_status == "retired" and str(site) in (last.reason or "")
    import getpass

    assert f"applied by {getpass.getuser()}" in (last.reason or "")  # who: the account that ran the scan
    sited = load_rulesets([ROOT / "rulesets"], overrides=site)
    (versioned,) = [rs for rs in sited if any(r.id == "rotation.keypost-tenure" for r in rs.rules)]
    assert f"(rules version {versioned.content_hash[:12]})" in (last.reason or "")
    assert store.alerts_holding(["c1"], as_of) == []
    scan(RULESETS, _records("2020-06-01"), as_of, store=store)
    assert store.alert(row.id or 0).status == AlertStatus.NEW
    assert [h.action for h in store.history(row.id or 0)][-2:] == ["retired", "reopened"]
    store.close()
