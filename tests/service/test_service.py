"""The service over HTTP: evaluate equals the library, roles, sign-in (keys and the gateway), problem details,
limits, and a scan started over HTTP under the same lease."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from risk_warning import AlertStore, DirectorySource, load_rulesets
from risk_warning.bundled import data_path
from risk_warning.evaluate.subject import Engine
from risk_warning.privacy import scrub
from tests.service.conftest import AS_OF, GATEWAY_SECRET, Served, demo_store, start_service

PROBLEM = "application/problem+json"


def test_evaluate_over_http_equals_the_library(served: Served) -> None:
    facts = DirectorySource(data_path("demo")).load().facts
    grouped: dict[str, list[object]] = {}
    for fact in facts:
        grouped.setdefault(fact.fact_type, []).append(fact.model_dump(mode="json"))
    expected = Engine(load_rulesets(["core"])).evaluate(facts, AS_OF)
    with served.client("u02-viewer") as client:  # no store is touched: any role, any scope
        answer = client.post("/evaluate", json={"as_of": AS_OF.isoformat(), "facts": grouped})
    assert answer.status_code == 200, answer.text
    wanted = json.loads(scrub(json.dumps([a.model_dump(mode="json") for a in expected], ensure_ascii=False)))
    assert answer.json()["alerts"] == wanted and len(wanted) >= 10


def test_roles_a_triager_cannot_dispose_and_each_call_is_audited(served: Served) -> None:
    alert = served.ids["U01"]["free"]
    with served.client("u01-triager") as triager:
        refused = triager.post(f"/alerts/{alert}/dispositions",
                               json={"type": "函询", "on": "2026-07-01", "decided_by": "局党组", "by": "乙",
                                     "reply_due": "2026-07-22"})  # fmt: skip
        assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
        assert (
            refused.json()["detail"]
            == "u01-triager (triager) may not decide a disposition: that needs the disposer role"
        )
        shown = triager.get(f"/alerts/{alert}")
        assert shown.status_code == 200 and shown.json()["alert"]["status"] == "new"
        moved = triager.post(f"/alerts/{alert}/triage", json={"by": "乙", "reason": "核实中"})
        assert moved.status_code == 200 and moved.json()["status"] == "triaged"
        again = triager.post(f"/alerts/{alert}/triage", json={"by": "乙"})
        assert again.status_code == 409 and again.json()["code"] == "conflict"
        assert again.json()["detail"] == f"alert #{alert} is triaged; it can move to: false_positive, in_disposition"
        empty = triager.post(f"/alerts/{alert}/false-positive", json={"by": "乙", "reason": " "})
        assert empty.status_code == 422 and empty.json()["detail"] == "a false positive needs a reason"
    with served.client("admin") as admin:
        trail = admin.get("/audit", params={"identity": "u01-triager"}).json()
    assert [(r["action"], r["alert_ids"]) for r in trail] == [("alert.read", [alert]), ("alert.triaged", [alert])]
    assert trail[1]["actor"] == "乙" and trail[1]["detail"] == "核实中"


def test_sign_in_by_key_and_by_the_gateway(served: Served) -> None:
    with served.client() as nobody:
        answer = nobody.get("/alerts")
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["code"] == "unauthenticated"
        assert nobody.get("/alerts", headers={"Authorization": "Bearer rwk_not-a-key"}).status_code == 401
        assert nobody.get("/alerts", headers={"X-API-Key": served.keys["u02-viewer"]}).status_code == 200
        # the gateway vouches for a user: believed with the secret, from loopback
        user = {"X-RW-Identity": quote("住建局 王监督"), "X-RW-Role": "viewer", "X-RW-Units": "U02"}
        claimed = nobody.get("/alerts", headers=user)  # without the secret nobody is believed
        assert claimed.status_code == 401
        wrong = nobody.get("/alerts", headers={**user, "X-RW-Gateway-Secret": "guess-guess-guess-guess"})
        assert wrong.status_code == 401 and wrong.json()["detail"] == "the gateway is not trusted (secret or address)"
        vouched = nobody.get("/alerts", headers={**user, "X-RW-Gateway-Secret": GATEWAY_SECRET})
        assert vouched.status_code == 200
        assert {a["org_unit_id"] for a in vouched.json()["alerts"]} == {"U02"}
        bad_role = nobody.get("/alerts", headers={**user, "X-RW-Role": "root", "X-RW-Gateway-Secret": GATEWAY_SECRET})
        assert bad_role.status_code == 401 and "X-RW-Role 'root'" in bad_role.json()["detail"]
    with served.client("admin") as admin:
        trail = admin.get("/audit", params={"identity": "住建局 王监督"}).json()
    assert [r["action"] for r in trail] == ["alerts.read"] and trail[0]["origin"] == "127.0.0.1 via gateway"


def test_a_revoked_key_signs_nobody_in(tmp_path: Path, served: Served) -> None:
    store = AlertStore(served.db)
    try:
        _, key = store.create_key("short-lived", "viewer")  # type: ignore[arg-type]
        assert httpx.get(served.url + "/alerts", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        store.revoke_key("short-lived")
    finally:
        store.close()
    answer = httpx.get(served.url + "/alerts", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401 and answer.json()["detail"] == "unknown or revoked API key"


def test_malformed_and_oversized_requests(served: Served) -> None:
    with served.client("admin") as admin:
        bad = admin.post("/evaluate", json={"as_of": "2026-02-30", "facts": {"cadre": [{"cadre_id": "C1", "x": 1}]}})
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
        assert bad.json()["code"] == "invalid-request"
        fields = {".".join(e["loc"]) for e in bad.json()["errors"]}
        assert {"body.as_of", "body.facts.cadre.0.x"} <= fields
        far = admin.post("/evaluate", json={"as_of": "9999-12-31", "facts": {}})
        assert far.status_code == 422 and far.json()["errors"][0]["loc"] == ["body", "as_of"]
        unknown = admin.post("/evaluate", json={"as_of": "2026-06-30", "facts": {"salary": []}})
        assert unknown.status_code == 422 and "body.facts.salary" in unknown.json()["detail"]
        json_type = {"Content-Type": "application/json"}
        big = admin.post("/evaluate", content=b"{" + b" " * 9_000_000 + b"}", headers=json_type)
        assert big.status_code == 413 and big.json()["code"] == "too-large"
        assert "RW_MAX_REQUEST_BYTES" in big.json()["detail"]
        chunks = (b" " * 1_000_000 for _ in range(9))  # no Content-Length: counted as it arrives
        chunked = admin.post("/evaluate", content=chunks, headers=json_type)
        assert chunked.status_code == 413 and chunked.json()["code"] == "too-large"
        assert admin.get("/alerts", params={"grade": "purple"}).status_code == 422
        assert admin.get("/nowhere").json()["code"] == "not-found"


def test_the_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    db, keys, _ = demo_store(tmp_path)
    running = start_service(db, tmp_path, RW_RATE_LIMIT="5/minute")
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {keys['admin']}"}) as client:
            codes = [client.get("/scans").status_code for _ in range(7)]
            assert codes == [200] * 5 + [429] * 2
            limited = client.get("/scans")
            assert limited.json()["code"] == "rate-limited" and int(limited.headers["retry-after"]) >= 1
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {keys['u02-viewer']}"}) as other:
            assert other.get("/scans").status_code == 200  # per identity
        started = httpx.post(running.url + "/scans", json={"as_of": "2026-07-31"},
                             headers={"Authorization": f"Bearer {keys['u01-disposer']}"})  # fmt: skip
        assert started.status_code == 403
    finally:
        running.stop()


def test_a_scan_over_http_and_the_lease(tmp_path: Path) -> None:
    db, keys, _ = demo_store(tmp_path)
    running = start_service(db, tmp_path)
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    try:
        store = AlertStore(db)
        try:
            lease = f"{socket.gethostname()}:{os.getpid()}:held-by-the-test"  # a CLI or scheduled scan, running
            store.acquire_lease(lease)
            held = httpx.post(running.url + "/scans", json={"as_of": "2026-07-31"}, headers=admin, timeout=120)
            assert held.status_code == 409 and held.json()["code"] == "scan-in-progress"
            assert held.headers["retry-after"] == "30"
            later = httpx.post(running.url + "/scans", json={"as_of": "2026-07-31", "wait": False}, headers=admin)
            assert later.status_code == 409 and later.json()["code"] == "scan-in-progress"  # said, not started
            store.release_lease(lease)
        finally:
            store.close()
        done = httpx.post(running.url + "/scans", json={"as_of": "2026-07-31"}, headers=admin, timeout=120)
        assert done.status_code == 201, done.text
        body = done.json()
        assert body["scan"]["status"] == "completed" and body["scan"]["as_of"] == "2026-07-31" and body["alerts"] > 0
        shown = httpx.get(f"{running.url}/scans/{body['scan']['id']}", headers=admin).json()
        assert shown["scan"]["id"] == body["scan"]["id"] and len(shown["quarantined"]) == body["quarantined"]
        trail = httpx.get(running.url + "/audit", params={"action": "scan.completed"}, headers=admin).json()
        assert trail[-1]["identity"] == "admin" and trail[-1]["origin"] == "127.0.0.1"

        # a province's scan outlasts an HTTP client's patience: answered as soon as it runs, followed by its id
        accepted = httpx.post(running.url + "/scans", json={"as_of": "2026-08-31", "wait": False}, headers=admin)
        assert accepted.status_code == 202, accepted.text
        started = accepted.json()["scan"]
        assert started["status"] == "running" and started["as_of"] == "2026-08-31"
        assert accepted.headers["location"] == f"/scans/{started['id']}"
        again = httpx.post(running.url + "/scans", json={"as_of": "2026-08-31", "wait": False}, headers=admin)
        assert again.status_code in (202, 409)  # 409 while the first runs; 202 once it is done

        def followed(location: str) -> list[str]:
            statuses, deadline = [], time.monotonic() + 120
            while time.monotonic() < deadline and statuses[-1:] in ([], ["running"]):
                statuses.append(httpx.get(running.url + location, headers=admin).json()["scan"]["status"])
                time.sleep(0.2)
            return statuses

        assert followed(accepted.headers["location"])[-1] == "completed"
        listed = httpx.get(running.url + "/scans", headers=admin).json()
        assert [r["status"] for r in listed if r["id"] == started["id"]] == ["completed"]
        if again.status_code == 202:  # the second ran after the first: let it end too, so the store is quiet
            assert followed(again.headers["location"])[-1] == "completed"
    finally:
        running.stop()


def test_several_server_processes_serve_and_stop_together(tmp_path: Path) -> None:
    import psutil

    db, keys, _ = demo_store(tmp_path)
    running = start_service(db, tmp_path, RW_SERVICE_WORKERS="2")
    try:
        deadline, children = time.monotonic() + 30, []
        while time.monotonic() < deadline:  # the supervisor starts its processes one after the other
            children = [c for c in psutil.Process(running.proc.pid).children(recursive=True)
                        if "spawn_main" in " ".join(c.cmdline())]  # fmt: skip
            if len(children) >= 2:
                break
            time.sleep(0.2)
        assert len(children) >= 2, running.log.read_text()
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {keys['admin']}"}) as client:
            assert {client.get("/alerts").status_code for _ in range(20)} == {200}
    finally:
        log = running.stop()
    assert running.proc.returncode == 0, log
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, log


def test_serve_refuses_bad_settings_and_a_missing_store(tmp_path: Path) -> None:
    import subprocess
    import sys

    db, _, _ = demo_store(tmp_path)

    def serve(store: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "risk_warning", "serve", "--db", store, "--port", "0"],
                              capture_output=True, text=True, env={**os.environ, **env}, timeout=60)  # fmt: skip

    fast = serve(db, RW_RATE_LIMIT="fast")
    assert (
        fast.returncode == 2
        and fast.stderr.strip() == "RW_RATE_LIMIT='fast': not a rate (e.g. 100/second, 6000/minute)"
    )
    short = serve(db, RW_GATEWAY_SECRET="short")
    assert short.returncode == 2 and "RW_GATEWAY_SECRET: at least 16 characters" in short.stderr
    missing = serve(f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.returncode == 6 and "no store at" in missing.stderr
    assert "Traceback" not in fast.stderr + short.stderr + missing.stderr
