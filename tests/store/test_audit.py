"""The audit trail, on SQLite and PostgreSQL: every lifecycle change leaves its record in its own transaction
(a refused change leaves none), scans and reads leave theirs, filters find them, and the table refuses
every UPDATE and DELETE, whoever sends it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.store.audit import now
from risk_warning.store.repository import AuditFilter, Principal, StoreError
from risk_warning.store.tables import AlertStatus

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
WHO = Principal("组织部张三", "test on loopback")


def scanned(store_url: str) -> AlertStore:
    store = AlertStore(store_url, principal=WHO)
    scan(RULESETS, DirectorySource(ROOT / "fixtures" / "demo"), date(2026, 6, 30), store=store)
    return store


def test_each_change_leaves_its_record_and_a_refused_one_none(store_url: str) -> None:
    store = scanned(store_url)
    (first,) = store.audit_log()
    assert (first.action, first.identity, first.actor, first.subjects) == (
        "scan.completed",
        WHO.identity,
        "scan #1",
        [],
    )
    alert = next(a for a in store.alerts() if a.subject_id == "C001")
    assert alert.id is not None
    store.transition(alert.id, AlertStatus.TRIAGED, "监督科", "数据已核实")
    with pytest.raises(StoreError):  # triaged cannot go back to new: nothing changes, nothing is recorded
        store.transition(alert.id, AlertStatus.NEW, "监督科")
    store.dispose(alert.id, "提醒谈话", date(2026, 7, 2), "局党组", "监督科")
    store.suppress("C001", date(2026, 12, 31), "专项审批", "财务处")
    actions = [(r.action, r.actor, r.subjects, r.alert_ids, r.origin) for r in store.audit_log()[1:]]
    c001 = sorted(a.id for a in store.alerts() if a.subject_id == "C001" and a.id is not None)
    assert actions == [
        ("alert.triaged", "监督科", ["C001"], [alert.id], WHO.origin),
        ("alert.disposition", "监督科", ["C001"], [alert.id], WHO.origin),
        ("subject.suppressed", "财务处", ["C001"], c001, WHO.origin),
    ]
    history = [h.action for h in store.history(alert.id)]
    assert history.count("triaged") == 1 and "disposition" in history  # the history and the trail agree
    store.close()


def test_reads_are_recorded_and_found_by_filters(store_url: str) -> None:
    store = scanned(store_url)
    store.audit_read("alert.read", subjects=["C007"], alert_ids=[1])
    other = AlertStore(store_url, principal=Principal("纪委李四", "elsewhere"))
    other.audit_read("alerts.read", subjects=["C001", "C007", "C001"], alert_ids=[3, 1], detail="grade=red")
    other.close()
    assert [r.identity for r in store.audit_log(AuditFilter(subject="C007"))] == [WHO.identity, "纪委李四"]
    (red,) = store.audit_log(AuditFilter(identity="纪委李四"))
    assert (red.subjects, red.alert_ids, red.detail) == (["C001", "C007"], [1, 3], "grade=red")
    assert [r.action for r in store.audit_log(AuditFilter(action="alert.read"))] == ["alert.read"]
    today = now().date()
    assert len(store.audit_log(AuditFilter(since=today, until=today))) == 3
    assert store.audit_log(AuditFilter(until=today - timedelta(days=1))) == []
    store.close()


def test_the_trail_refuses_to_be_rewritten(store_url: str) -> None:
    store = scanned(store_url)
    for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert [r.actor for r in store.audit_log()] == ["scan #1"]
    store.close()


def test_the_commands_record_reads_and_list_the_trail(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "RW_IDENTITY": "组织部张三"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "risk_warning", *args, "--db", db]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)

    assert run("scan", "--data", "demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2").returncode == 0
    assert run("alerts", "show", "3").returncode == 0
    assert run("alerts", "list", "--grade", "red").returncode == 0
    assert (
        run("report", "--from", "2026-06-01", "--to", "2026-06-30", "--out", str(tmp_path / "r.html")).returncode == 0
    )
    listed = run("audit", "--identity", "组织部张三", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    records = json.loads(listed.stdout)
    assert [r["action"] for r in records] == ["scan.completed", "alert.read", "alerts.read", "report.export"]
    assert records[1]["subjects"] == ["C001"] and records[2]["detail"] == "grade=red"
    assert len(records[3]["subjects"]) > 5 and "r.html" in records[3]["detail"]
    assert "audit.read" in run("audit").stdout  # looking at the trail is on the trail
