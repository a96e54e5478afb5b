"""The closed loop over simulated nights: weak signals accumulate and escalate; a talk with completed
education closes the alert at its re-check; a repeat after a talk goes up one level, after 诫勉 to red;
a condition that outlives its re-check, or education never completed, escalates.

Every night runs twice, on an incremental store and on a full-scan store, which must agree.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from risk_warning import AlertStore, MemorySource, load_rulesets, scan
from risk_warning.store.stored import StoredAlert
from tests.store.test_dispositions import ROOT

RULESETS = load_rulesets([ROOT / "rulesets"])
N1, N2, N3, N4, N5 = date(2026, 7, 1), date(2026, 7, 21), date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 20)


def claims(cadre: str, *days: date) -> list[dict[str, Any]]:
    """Expense claims just under their approval tier: three within 90 days make finance.near-tier-claims."""
    return [
        {"claim_id": f"{cadre}-{d.isoformat()}", "claimant_id": cadre, "amount": 4900, "tier": 5000, "invoice_date": d}
        for d in days
    ]


def absences(cadre: str, *days: date, present: date = date(2026, 4, 1)) -> list[dict[str, Any]]:
    def row(d: date, status: str) -> dict[str, Any]:
        return {
            "attendance_id": f"{cadre}-{d}",
            "cadre_id": cadre,
            "meeting_id": f"m{d}",
            "meeting_type": "党课",  # not 党员大会/小组会: only orglife.absence (the rate) fires, not the run of three
            "date": d,
            "status": status,
        }

    return [*(row(d, "absent") for d in days), row(present, "present")]


def records(as_of: date) -> dict[str, list[dict[str, Any]]]:
    june = [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]
    october = [date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]
    spring = [date(2026, 5, 10), date(2026, 5, 20), date(2026, 6, 10)]
    later = [d for d in october if d <= as_of]
    return {
        "cadre": [
            {"cadre_id": c, "name": "测试", "doc_custody_scope": True, "org_unit_id": "U1" if c < "M" else "U2"}
            for c in ("E", "K", "R", "T", "W")
        ],
        # W: weak signals from two families (travel blue and yellow, orglife yellow)
        "travel_document": [
            {
                "doc_id": "W-passport",
                "cadre_id": "W",
                "doc_type": "普通护照",
                "issue_date": date(2026, 6, 20),
                "custody_status": "not_surrendered",
            }
        ],
        "custody_event": [
            {
                "event_id": "W-trip",
                "cadre_id": "W",
                "doc_id": "W-passport",
                "drawn_at": date(2026, 6, 1),
                "due_return": date(2026, 6, 30),
            }
        ],
        "org_life_attendance": [*absences("W", *spring), *absences("R", *spring)],
        # T, K and E: near-tier claims in June (and T and K again in October)
        "expense_claim": [*claims("T", *june, *later), *claims("K", *june, *later), *claims("E", *june)],
    }


def night(stores: tuple[AlertStore, AlertStore], as_of: date) -> None:
    incremental, full = stores
    source = MemorySource.from_records(records(as_of), fill_keys=True)
    assert not source.load().quarantined
    scan(RULESETS, source, as_of, store=incremental, full=False)
    scan(RULESETS, source, as_of, store=full, full=True)
    assert view(incremental) == view(full), f"incremental and full scans disagree on {as_of}"


def view(store: AlertStore) -> list[tuple[str, str, str, str]]:
    return sorted((r.subject_id, r.rule_id, r.grade, r.status) for r in store.alerts())


def alert(store: AlertStore, subject: str, rule: str) -> StoredAlert:
    (row,) = [r for r in store.alerts() if r.subject_id == subject and r.rule_id == rule]
    return row


def both(stores: tuple[AlertStore, AlertStore], subject: str, rule: str) -> list[StoredAlert]:
    return [alert(s, subject, rule) for s in stores]


def decide(store: AlertStore) -> None:
    """What people decide after night 1: talks and 诫勉, targeted education (T completes it, E never does)."""
    for subject, kind in (("T", "提醒谈话"), ("K", "诫勉"), ("E", "提醒谈话")):
        row = alert(store, subject, "finance.near-tier-claims")
        store.dispose(row.id or 0, kind, date(2026, 7, 2), "局党组", "监督科")
    row = alert(store, "R", "orglife.absence")
    store.dispose(row.id or 0, "提醒谈话", date(2026, 7, 2), "机关党委", "监督科")
    for subject in "TE":
        row = alert(store, subject, "finance.near-tier-claims")
        store.assign_education(row.id or 0, date(2026, 7, 2), date(2026, 7, 31), "监督科")
    (t_assignment,) = store.assignments(alert(store, "T", "finance.near-tier-claims").id)
    store.complete_education(t_assignment.id or 0, date(2026, 7, 20), 3.0, "监督科")


def test_signals_escalate_and_dispositions_close_or_escalate_over_nights(store_url: str, tmp_path: Any) -> None:
    stores = (AlertStore(store_url), AlertStore(f"sqlite:///{tmp_path / 'full.db'}"))

    # night 1: W's three weak signals from two families accumulate to orange (X1)
    night(stores, N1)
    x1 = alert(stores[0], "W", "escalate.weak-signals")
    assert (x1.grade, x1.family) == ("orange", "accumulation")
    counted = sorted(e["fields"]["rule_id"] for e in x1.evidence if e["fact_type"] == "signal")
    assert counted == ["orglife.absence", "travel.doc-not-surrendered", "travel.doc-return-overdue"]
    for subject in "TKE":
        assert alert(stores[0], subject, "finance.near-tier-claims").grade == "yellow"

    # the next day: a talk for T, R and E, 诫勉 for K; targeted education for T and E
    for store in stores:
        decide(store)

    # night 2: the unsurrendered passport is orange now; with the orange X1 it makes two oranges: red (X2)
    night(stores, N2)
    assert alert(stores[0], "W", "travel.doc-not-surrendered").grade == "orange"
    assert alert(stores[0], "W", "escalate.orange-repeat").grade == "red"
    e_context = alert(stores[0], "E", "finance.near-tier-claims").education
    assert [(a["topic"], a["overdue"]) for a in e_context["outstanding_assignments"]] == [
        ("财经纪律与中央八项规定精神警示教育", False)
    ]
    t_context = alert(stores[0], "T", "finance.near-tier-claims").education
    assert t_context["outstanding_assignments"] == [] and t_context["hours_12m"] == 3.0

    # night 3: the June claims have left the 90-day window: T, K and E are cleared, not yet closed
    night(stores, N3)
    for subject in "TKE":
        assert alert(stores[0], subject, "finance.near-tier-claims").status == "cleared"

    # night 4, the re-check date of the talks (90 days): T closes; E (education not done) and R (still absent)
    # escalate one level
    night(stores, N4)
    for t, e, r in zip(
        both(stores, "T", "finance.near-tier-claims"),
        both(stores, "E", "finance.near-tier-claims"),
        both(stores, "R", "orglife.absence"),
        strict=True,
    ):
        assert (t.status, t.grade) == ("closed", "yellow")
        assert (e.status, e.grade) == ("escalated", "orange")
        assert (r.status, r.grade, r.base_grade) == ("escalated", "orange", "yellow")
        assert [a["rule_id"] for a in r.adjustments or []] == ["escalate.recheck-failed"]
    results = {d.cadre_id: d.recheck_result for d in stores[0].dispositions()}
    assert results["T"] == "closed: the condition is gone and the targeted education was completed"
    assert results["E"] == "escalated: the condition is gone but the targeted education was not completed"
    assert results["R"] == "escalated: the condition still holds"
    assert results["K"] is None  # 诫勉: re-checked after six months

    # night 5: the same problem again in October: after the talk one level up (I2), after 诫勉 red
    night(stores, N5)
    t = alert(stores[0], "T", "finance.near-tier-claims")
    assert (t.status, t.grade, t.base_grade, t.opened_on) == ("new", "orange", "yellow", N5)
    assert [a["rule_id"] for a in t.adjustments or []] == ["escalate.repeat-after-talk"]
    k = alert(stores[0], "K", "finance.near-tier-claims")
    assert (k.grade, [a["rule_id"] for a in k.adjustments or []]) == ("red", ["escalate.repeat-after-admonition"])
    actions = [h.action for h in stores[0].history(t.id or 0)]
    assert actions == [
        "created",
        "disposition",
        "education_assigned",
        "education_completed",
        "cleared",
        "recheck",
        "grade_changed",
        "reopened",
    ]
    assert N5 - timedelta(days=0) == stores[0].history(t.id or 0)[-1].effective_on
    for store in stores:
        store.close()
