"""The risk-warning command, run as a user runs it: exit codes, locations, JSON, no personal data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def scan_demo(as_of: str, db: str) -> subprocess.CompletedProcess[str]:
    """The demo scan; its two bad records in files of seven are over the default 1% quarantine limit."""
    return run("scan", "--data", "fixtures/demo", "--as-of", as_of, "--max-quarantined", "0.2", "--db", db)


def test_validate_reports_location_and_suggestion_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "ruleset: t\ntitle: t\nversion: 1.0.0\nrules:\n  - id: t.r\n    title: t\n    family: f\n    basis: b\n"
        "    disposition: d\n    match:\n      a: appointment where end_dat is null\n    grade: yelow\n"
        "    message: m\n",
        encoding="utf-8",
    )
    result = run("validate", str(bad))
    assert result.returncode == 2
    assert (
        f"{bad}:11:28: unknown-field [t.r]: appointment has no field 'end_dat' (did you mean 'end_date'?)"
        in result.stderr
    )
    assert f"{bad}:12:12: schema [t.r]: 'yelow' is not a grade (did you mean 'yellow'?)" in result.stderr


def test_validate_and_test_the_shipped_rulesets() -> None:
    assert run("validate", "rulesets").returncode == 0
    result = run("test", "rulesets")
    assert result.returncode == 0, result.stderr
    assert "rotation.keypost-tenure" in result.stdout and " 0 failed" in result.stdout


def test_a_failing_rule_test_exits_1(tmp_path: Path) -> None:
    text = (ROOT / "rulesets" / "core" / "appraisal.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "appraisal.yaml"
    broken.write_text(
        text.replace(
            "expect: [{subject: c1, grade: red}, {rule: appraisal.low-grade",
            "expect: [{subject: c1, grade: orange}, {rule: appraisal.low-grade",
        ),
        encoding="utf-8",
    )
    result = run("test", str(broken))
    assert result.returncode == 1
    assert "missing alert:    appraisal.consecutive-unfit c1 orange" in result.stderr
    assert "unexpected alert: appraisal.consecutive-unfit c1 red" in result.stderr


def test_scan_json_and_no_personal_identifiers_anywhere(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    result = run(
        "scan",
        "--data",
        "fixtures/demo",
        "--as-of",
        "2026-06-30",
        "--max-quarantined",
        "0.2",
        "--db",
        f"sqlite:///{db}",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    grades = {a["grade"] for a in payload["alerts"]}
    assert grades == {"blue", "yellow", "orange", "red"}
    assert len(payload["quarantined"]) == 2
    table = scan_demo("2026-06-30", f"sqlite:///{db}")
    everything = result.stdout + result.stderr + table.stdout + table.stderr + db.read_bytes().decode("utf-8", "ignore")
    cadres = (ROOT / "fixtures" / "demo" / "cadre.csv").read_text(encoding="utf-8").splitlines()[1:]
    for line in cadres:
        fields = line.split(",")
        name, id_card, phone = fields[1], fields[2], fields[3]
        assert id_card not in everything and phone not in everything and name not in everything


def test_scan_rejects_a_bad_date_with_exit_2() -> None:
    result = run("scan", "--data", "fixtures/demo", "--as-of", "2026-02-30")
    assert result.returncode == 2
    assert "--as-of must be a date" in result.stderr


def test_alerts_lifecycle_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'life.db'}"
    assert (
        run(
            "scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--db", db
        ).returncode
        == 0
    )
    listed = json.loads(run("alerts", "list", "--db", db, "--grade", "red", "--format", "json").stdout)
    assert {a["grade"] for a in listed} == {"red"} and len(listed) == 2
    first = listed[0]["id"]
    refused = run("alerts", "false-positive", str(first), "--by", "监督科", "--reason", " ", "--db", db)
    assert refused.returncode == 2 and "needs a reason" in refused.stderr
    moved = run("alerts", "triage", str(first), "--by", "监督科", "--note", "已核实", "--db", db, "--format", "json")
    assert json.loads(moved.stdout)["status"] == "triaged"
    shown = json.loads(run("alerts", "show", str(first), "--db", db, "--format", "json").stdout)
    assert [h["action"] for h in shown["history"]] == ["created", "triaged"]
    assert shown["history"][1]["actor"] == "监督科"
    suppressed = run(
        "alerts",
        "suppress",
        "--subject",
        "C006",
        "--until",
        "2026-12-31",
        "--reason",
        "已审批",
        "--by",
        "财务处",
        "--db",
        db,
        "--format",
        "json",
    )
    assert json.loads(suppressed.stdout)["subject_id"] == "C006"
    remaining = json.loads(run("alerts", "list", "--db", db, "--subject", "C006", "--format", "json").stdout)
    assert remaining == []


def test_a_second_scan_while_one_holds_the_lease_exits_3(tmp_path: Path) -> None:
    from risk_warning import AlertStore

    db = f"sqlite:///{tmp_path / 'lease.db'}"
    store = AlertStore(db)
    store.acquire_lease("nightly@host")
    result = run("scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--db", db)
    store.close()
    assert result.returncode == 3
    assert "a scan is in progress (held by nightly@host" in result.stderr


def test_scan_is_incremental_by_default_and_full_on_request(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'inc.db'}"
    args = ("scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--db", db)
    first, second, third, forced = run(*args), run(*args), run(*args), run(*args, "--full")
    assert "13 alert(s)" in first.stdout and "13 new" in first.stdout and " 0 subject(s) unchanged" in first.stdout
    # the second scan sees the first one's alerts as history (signals) for the first time: it re-evaluates
    assert "13 alert(s)" in second.stdout and "0 new" in second.stdout
    # of the 12 subjects, 3 no rule could fire on are answered by the screen each night (no engine, nothing
    # to carry); the other 9 are unchanged and carried
    assert "13 alert(s)" in third.stdout and " 9 subject(s) unchanged" in third.stdout
    assert "13 alert(s)" in forced.stdout and " 0 subject(s) unchanged" in forced.stdout


def test_dispose_and_reply_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'dispose.db'}"
    assert (
        run(
            "scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--db", db
        ).returncode
        == 0
    )
    (alert,) = json.loads(run("alerts", "list", "--db", db, "--subject", "C004", "--format", "json").stdout)
    made = run(
        "alerts",
        "dispose",
        str(alert["id"]),
        "--type",
        "函询",
        "--on",
        "2026-07-01",
        "--decided-by",
        "市纪委监委",
        "--reply-due",
        "2026-07-22",
        "--by",
        "监督科",
        "--db",
        db,
        "--format",
        "json",
    )
    assert made.returncode == 0, made.stderr
    disposition = json.loads(made.stdout)
    replied = run(
        "alerts",
        "reply",
        str(disposition["id"]),
        "--received",
        "2026-07-20",
        "--truthful",
        "--by",
        "监督科",
        "--db",
        db,
        "--format",
        "json",
    )
    assert json.loads(replied.stdout)["truthful"] is True
    shown = json.loads(run("alerts", "show", str(alert["id"]), "--db", db, "--format", "json").stdout)
    assert shown["status"] == "in_disposition" and shown["dispositions"][0]["replied_at"] == "2026-07-20"


def test_targeted_education_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'educate.db'}"
    assert (
        run(
            "scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--db", db
        ).returncode
        == 0
    )
    (alert,) = json.loads(run("alerts", "list", "--db", db, "--subject", "C004", "--format", "json").stdout)
    late = run(
        "alerts", "educate", str(alert["id"]), "--on", "2026-07-10", "--due", "2026-07-01", "--by", "x", "--db", db
    )
    assert late.returncode == 2 and "before the assignment date" in late.stderr
    made = run(
        "alerts", "educate", str(alert["id"]), "--on", "2026-07-01", "--due", "2026-07-31", "--by", "组织科",
        "--db", db, "--format", "json",
    )  # fmt: skip
    assignment = json.loads(made.stdout)
    assert assignment["topic"] == "因私出国(境)证照管理纪律教育"  # what the travel family recommends
    # the next scan shows it outstanding, and overdue after its due date
    assert (
        run(
            "scan", "--data", "fixtures/demo", "--as-of", "2026-08-01", "--max-quarantined", "0.2", "--db", db
        ).returncode
        == 0
    )
    shown = run("alerts", "show", str(alert["id"]), "--db", db)
    assert "未完成的针对性教育: 因私出国(境)证照管理纪律教育, 2026-07-31 前 (逾期)" in shown.stdout
    assert "针对性教育: 2026-07-01 " in shown.stdout and "证据:" in shown.stdout
    done = run(
        "alerts", "educated", str(assignment["id"]), "--on", "2026-08-02", "--hours", "2", "--by", "组织科", "--db", db
    )
    assert done.returncode == 0 and "completed 2026-08-02, 2 h" in done.stdout
    assert (
        run(
            "scan", "--data", "fixtures/demo", "--as-of", "2026-08-03", "--max-quarantined", "0.2", "--db", db
        ).returncode
        == 0
    )
    shown_json = json.loads(run("alerts", "show", str(alert["id"]), "--db", db, "--format", "json").stdout)
    assert shown_json["education"]["outstanding_assignments"] == []
    assert shown_json["education"]["hours_12m"] == 2.0
    assert [e["completed_on"] for e in shown_json["education_assignments"]] == ["2026-08-02"]
    actions = [h["action"] for h in shown_json["history"]]
    assert "education_assigned" in actions and "education_completed" in actions


def test_fixtures_generate_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    """It may be a real export: nothing is written unless --overwrite."""
    (tmp_path / "cadre.csv").write_text("cadre_id,name\nC001,张建国\n", encoding="utf-8")
    refused = run("fixtures", "generate", "--cadres", "5", "--out", str(tmp_path))
    assert refused.returncode == 2
    assert "holds files; nothing was written" in refused.stderr and "--overwrite" in refused.stderr
    assert (tmp_path / "cadre.csv").read_text(encoding="utf-8") == "cadre_id,name\nC001,张建国\n"
    assert run("fixtures", "generate", "--cadres", "5", "--out", str(tmp_path), "--overwrite").returncode == 0
    assert "C001,张建国" not in (tmp_path / "cadre.csv").read_text(encoding="utf-8")
