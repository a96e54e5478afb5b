"""干部管理权限 in the store, on SQLite and PostgreSQL: a principal scoped to a unit sees that unit's alerts and
those of the units under it, on every read (list, show, history, dispositions, a scan's changes, metrics,
the report), and nothing else exists for it; its role bounds what it may change; scans and the audit trail
are for an unscoped admin."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from risk_warning import AlertStore, MemorySource, load_rulesets, scan
from risk_warning.reports.leaders import leaders_report
from risk_warning.reports.metrics import effectiveness
from risk_warning.store.repository import NotPermittedError, Principal, Role, StoreError
from risk_warning.store.tables import AlertStatus
from tests.store.test_dispositions import ROOT

RULESETS = load_rulesets([ROOT / "rulesets"])
AS_OF = date(2026, 6, 30)
# 市 -> 财政局 (U1) -> 国库科 (U11); 市 -> 住建局 (U2)
CHART = [
    ("CITY", "市", None),
    ("U1", "市财政局", "CITY"),
    ("U11", "国库科", "U1"),
    ("U2", "市住房和城乡建设局", "CITY"),
]
HOME = {"a": "U1", "b": "U11", "c": "U2"}


def records() -> dict[str, list[dict[str, Any]]]:
    return {
        "org_unit": [{"org_unit_id": u, "name": n, "parent_id": p} for u, n, p in CHART],
        "cadre": [{"cadre_id": c, "name": "王五", "org_unit_id": u} for c, u in HOME.items()],
        "position": [{"position_id": "p", "title": "财务科长", "risk_level": "high", "org_unit_id": "U1"}],
        "appointment": [
            {"appointment_id": f"A{c}", "cadre_id": c, "position_id": "p", "start_date": "2019-03-01"} for c in HOME
        ],
    }


def as_(store_url: str, role: Role, units: set[str] | None = None, kinds: set[str] | None = None) -> AlertStore:
    who = Principal(f"{role}-{sorted(units or [])}", "test", role, frozenset(units) if units else None)
    if kinds is not None:
        who = Principal(who.identity, who.origin, role, who.units, frozenset(kinds))
    return AlertStore(store_url, principal=who)


@pytest.fixture
def scanned(store_url: str) -> str:
    admin = AlertStore(store_url)
    scan(RULESETS, MemorySource.from_records(records(), fill_keys=True), AS_OF, store=admin)
    assert {a.subject_id for a in admin.alerts()} == {"a", "b", "c"}
    admin.close()
    return store_url


def ids_of(url: str, subject: str) -> list[int]:
    """The subject's alert ids, as an unscoped admin sees them."""
    admin = AlertStore(url)
    try:
        return [a.id for a in admin.alerts() if a.subject_id == subject and a.id is not None]
    finally:
        admin.close()


def test_a_unit_sees_itself_and_the_units_under_it_and_nothing_else(scanned: str) -> None:
    finance = as_(scanned, Role.VIEWER, {"U1"})
    assert {a.subject_id for a in finance.alerts()} == {"a", "b"}  # U1 and U11 under it
    (other,) = ids_of(scanned, "c")[:1]
    for read in (finance.alert, finance.history):
        with pytest.raises(StoreError, match=f"no alert #{other}$"):  # as if it did not exist
            read(other)
    assert other not in finance.histories([other]) and set(finance.histories()) == set(
        ids_of(scanned, "a") + ids_of(scanned, "b")
    )
    assert {a.subject_id for _, a in finance.scan_changes(1)} == {"a", "b"}
    treasury, units_only = as_(scanned, Role.VIEWER, {"U11"}), as_(scanned, Role.VIEWER, kinds={"unit"})
    assert treasury.alerts() == [a for a in finance.alerts() if a.subject_id == "b"]
    assert units_only.alerts() == []  # cadres are not its kind
    treasury.close()
    units_only.close()
    measures = effectiveness(finance, date(2026, 1, 1), AS_OF)
    assert measures.alerts_raised == len(finance.alerts())
    report = leaders_report(finance, date(2026, 1, 1), AS_OF)
    assert {a.subject_id for a in report.alerts} == {"a", "b"} and {c.key for c in report.by_unit} == {"U1", "U11"}
    finance.close()


def test_the_role_bounds_what_may_change_and_the_scope_where(scanned: str) -> None:
    (a_alert,) = ids_of(scanned, "a")[:1]
    (c_alert,) = ids_of(scanned, "c")[:1]
    viewer = as_(scanned, Role.VIEWER, {"U2"})
    with pytest.raises(NotPermittedError, match=r"viewer.*may not move an alert to triaged: that needs the triager"):
        viewer.transition(c_alert, AlertStatus.TRIAGED, "监督科")
    triager = as_(scanned, Role.TRIAGER, {"U2"})
    assert triager.transition(c_alert, AlertStatus.TRIAGED, "监督科").status == "triaged"
    with pytest.raises(StoreError, match=f"no alert #{a_alert}$"):  # not its unit: no such alert
        triager.transition(a_alert, AlertStatus.TRIAGED, "监督科")
    with pytest.raises(NotPermittedError, match="needs the disposer role"):
        triager.dispose(c_alert, "提醒谈话", date(2026, 7, 2), "局党组", "监督科")
    disposer = as_(scanned, Role.DISPOSER, {"U1"})
    decided = disposer.dispose(a_alert, "提醒谈话", date(2026, 7, 2), "局党组", "监督科")
    assert [d.id for d in disposer.dispositions()] == [decided.id] and triager.dispositions() == []
    with pytest.raises(StoreError, match="no alerts of c"):
        disposer.suppress("c", date(2026, 12, 31), "专项", "财务处")
    with pytest.raises(NotPermittedError, match="may not run a scan"):
        scan(RULESETS, MemorySource.from_records(records(), fill_keys=True), AS_OF, store=disposer)
    with pytest.raises(NotPermittedError, match="read the audit trail"):
        disposer.audit_log()
    for store in (viewer, triager, disposer):
        store.close()
