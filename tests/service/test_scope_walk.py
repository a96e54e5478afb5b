"""Every route of the OpenAPI document, walked over HTTP by an identity whose scope is elsewhere: an alert,
disposition or assignment of another unit answers 404 (as if missing), lists, metrics and the report hold
only the identity's unit, what needs an unscoped admin answers 403; then the same calls from inside the
scope succeed, and each one left its audit record. A route added to the service without an entry here
fails the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.service.conftest import AS_OF, ROOT, Served

DAY = AS_OF.isoformat()
PERIOD = {"from": "2026-01-01", "to": DAY}


def calls(ids: dict[str, Any], unit: str) -> dict[tuple[str, str], dict[str, Any]]:
    """One call per route against ``unit``'s records: (method, path template) -> path, query, body."""
    mine = ids[unit]
    alerts = mine["alerts"]
    return {
        ("GET", "/health"): {"path": "/health"},
        ("GET", "/alerts"): {"path": "/alerts"},
        ("GET", "/alerts/{alert_id}"): {"path": f"/alerts/{alerts[1]}"},
        ("POST", "/alerts/{alert_id}/triage"): {"path": f"/alerts/{alerts[2]}/triage", "json": {"by": "甲"}},
        ("POST", "/alerts/{alert_id}/false-positive"): {
            "path": f"/alerts/{alerts[3]}/false-positive", "json": {"by": "甲", "reason": "数据有误"}},
        ("POST", "/alerts/{alert_id}/status"): {
            "path": f"/alerts/{alerts[0]}/status", "json": {"to": "recheck", "by": "甲", "reason": "到期复查"}},
        ("POST", "/alerts/{alert_id}/dispositions"): {
            "path": f"/alerts/{alerts[4]}/dispositions",
            "json": {"type": "批评教育", "on": DAY, "decided_by": "局党组", "by": "甲"}},
        ("POST", "/alerts/{alert_id}/education"): {
            "path": f"/alerts/{alerts[5]}/education", "json": {"on": DAY, "due": "2026-08-31", "by": "甲"}},
        ("POST", "/dispositions/{disposition_id}/reply"): {
            "path": f"/dispositions/{mine['disposition']}/reply",
            "json": {"received": DAY, "truthful": True, "by": "甲"}},
        ("POST", "/education/{assignment_id}/completed"): {
            "path": f"/education/{mine['assignment']}/completed", "json": {"on": DAY, "hours": 4, "by": "甲"}},
        ("POST", "/suppressions"): {
            "path": "/suppressions",
            "json": {"subject": mine["subjects"][0], "until": "2026-07-31", "reason": "借调", "by": "甲"}},
        ("GET", "/metrics"): {"path": "/metrics", "params": PERIOD},
        ("GET", "/report"): {"path": "/report", "params": PERIOD},
        ("GET", "/scans"): {"path": "/scans"},
        ("GET", "/scans/{scan_id}"): {"path": "/scans/1"},
        ("POST", "/scans"): {"path": "/scans", "json": {"as_of": DAY}},
        ("GET", "/audit"): {"path": "/audit"},
        ("POST", "/evaluate"): {"path": "/evaluate", "json": {"as_of": DAY, "facts": {}}},
    }  # fmt: skip


UNSCOPED_ONLY = {("GET", "/scans/{scan_id}"), ("POST", "/scans"), ("GET", "/audit")}
UNSCOPED_OK = {("GET", "/health"), ("GET", "/alerts"), ("GET", "/metrics"), ("GET", "/report"), ("GET", "/scans"),
               ("POST", "/evaluate")}  # fmt: skip


def test_every_route_from_outside_the_scope_and_from_inside(served: Served) -> None:
    schema = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    routes = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    u01 = calls(served.ids, "U01")
    assert routes == set(u01), f"routes without an expectation here: {routes ^ set(u01)}"
    u01_only = set(served.ids["U01"]["subjects"]) - set(served.ids["U02"]["subjects"])
    assert u01_only

    with served.client("u02-disposer") as outsider:  # may change alerts, but only U02's
        for route, call in u01.items():
            answer = outsider.request(route[0], call["path"], params=call.get("params"), json=call.get("json"))
            said = f"{route}: {answer.status_code} {answer.text[:300]}"
            if route in UNSCOPED_ONLY:
                assert answer.status_code == 403, said
                assert answer.headers["content-type"] == "application/problem+json", said
                assert answer.json()["code"] == "not-permitted", said
            elif route in UNSCOPED_OK:
                assert answer.status_code == 200, said
                assert not any(s in answer.text for s in u01_only), f"{said}: names a subject of U01"
            else:
                assert answer.status_code == 404, said
                assert answer.json()["code"] == "not-found" and answer.json()["detail"].startswith("no "), said
        listed = outsider.get("/alerts").json()
        assert {a["org_unit_id"] for a in listed["alerts"]} == {"U02"}
        assert sorted(a["id"] for a in listed["alerts"]) == served.ids["U02"]["alerts"]
        measured = {m["unit"]: m for m in outsider.get("/metrics", params=PERIOD).json()}
        assert set(measured) == {"U02", None}  # its unit, then the total over what it sees: the same
        assert measured[None]["alerts_raised"] == measured["U02"]["alerts_raised"] > 0

    with served.client("u01-disposer") as insider:
        for route, call in u01.items():
            if route in UNSCOPED_ONLY:
                continue
            answer = insider.request(route[0], call["path"], params=call.get("params"), json=call.get("json"))
            assert answer.status_code in (200, 201), f"{route}: {answer.status_code} {answer.text[:300]}"

    with served.client("admin") as admin:
        trail = admin.get("/audit").json()
    by = {}
    for row in trail:
        by.setdefault(row["identity"], []).append(row)
    outside = by["u02-disposer"]
    assert {r["action"] for r in outside} == {"alerts.read", "report.export"}  # refused: nothing changed or read
    assert not any(set(r["subjects"]) & u01_only for r in outside)
    inside = {r["action"] for r in by["u01-disposer"]}
    assert inside >= {"alerts.read", "alert.read", "alert.triaged", "alert.false_positive", "alert.recheck",
                      "alert.disposition", "alert.education_assigned", "alert.reply", "alert.education_completed",
                      "subject.suppressed", "report.export"}, inside  # fmt: skip
    assert all(r["origin"].startswith("127.0.0.1") for r in by["u01-disposer"])


def test_the_committed_openapi_document_is_the_services(served: Served) -> None:
    from risk_warning.service import create_app

    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert create_app().openapi() == committed, "regenerate: risk-warning openapi --out docs/openapi.json"
    with served.client() as anyone:
        assert anyone.get("/openapi.json").json() == committed  # the running service serves the same


def test_log_lines_carry_no_personal_identifier(served: Served, tmp_path: Path) -> None:
    id_number, phone = "110101199003077777", "13812345678"
    with served.client("admin") as admin:
        admin.get("/alerts", params={"subject": id_number})
        admin.get("/alerts/999999", params={"note": phone})
    log = served.log.read_text(encoding="utf-8")
    assert "GET /alerts?subject=" in log  # the access log is there
    assert id_number not in log and phone not in log
