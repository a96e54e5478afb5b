"""One settings model read from RW_*; the token key has no default, and its absence is a clear error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from risk_warning.errors import ConfigError
from risk_warning.facts.records import validate_record
from risk_warning.privacy import ephemeral_token_key, token
from risk_warning.settings import Settings, settings

ROOT = Path(__file__).resolve().parents[1]
BID = {
    "bid_id": "B1",
    "tender_id": "T1",
    "project_id": "P1",
    "bidder_credit_code": "91X",
    "deposit_account": "6222000011112222",
}


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("RW_TOKEN_KEY", raising=False)
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_settings_come_from_rw_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RW_DB_URL", "postgresql+psycopg://rw@db/rw")
    monkeypatch.setenv("RW_MAX_QUARANTINED", "0.05")
    read = Settings()
    assert (read.db_url, read.max_quarantined, read.workers) == ("postgresql+psycopg://rw@db/rw", 0.05, 2)
    assert "tests-only" not in repr(read)  # the secret is never printed


def test_without_a_key_a_token_is_an_error_that_names_the_variable(no_key: None) -> None:
    with pytest.raises(ConfigError, match="RW_TOKEN_KEY is not set"):
        token("6222000011112222")
    with pytest.raises(ConfigError):
        validate_record("bid", BID)


def test_an_ephemeral_key_serves_one_run_only(no_key: None) -> None:
    with ephemeral_token_key():
        first = token("10.0.0.8")
        assert token("10.0.0.8") == first
    with ephemeral_token_key():
        assert token("10.0.0.8") != first  # a new run, a new random key: nothing to reverse afterwards


def test_a_scan_without_the_key_exits_2_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "bid.csv").write_text(
        "bid_id,tender_id,project_id,bidder_credit_code,deposit_account\nB1,T1,P1,91X,6222000011112222\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "RW_TOKEN_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "risk_warning", "scan", "--data", str(tmp_path), "--as-of", "2026-06-30",
         "--db", f"sqlite:///{tmp_path / 'x.db'}", "--workers", "0"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2 and "RW_TOKEN_KEY is not set" in result.stderr
    assert "6222000011112222" not in result.stdout + result.stderr


def test_every_command_reads_the_store_url_from_rw_db_url(tmp_path: Path) -> None:
    env = {**os.environ, "RW_DB_URL": f"sqlite:///{tmp_path / 'from-env.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "risk_warning", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)

    scanned = run("scan", "--data", "fixtures/demo", "--as-of", "2026-06-30", "--max-quarantined", "0.2")
    assert scanned.returncode == 0, scanned.stderr
    assert (tmp_path / "from-env.db").is_file() and not (ROOT / "risk_warning.db").exists()
    listed = run("alerts", "list", "--grade", "red", "--format", "json")
    assert listed.returncode == 0 and '"grade": "red"' in listed.stdout


def test_the_scan_reads_its_limits_and_workers_from_rw_variables(tmp_path: Path) -> None:
    """RW_MAX_QUARANTINED lets the demo night through where the default refuses it (exit 5);
    RW_WORKERS=-1 is refused with the variable's value, which shows the scan read it."""

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        db = f"sqlite:///{tmp_path / (str(len(list(tmp_path.iterdir()))) + '.db')}"
        command = [sys.executable, "-m", "risk_warning", "scan", "--data", "fixtures/demo", "--as-of", "2026-06-30"]
        env = {**os.environ, "RW_DB_URL": db, "RW_WORKERS": "0", **extra}
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)

    assert run().returncode == 5
    allowed = run(RW_MAX_QUARANTINED="0.2")
    assert allowed.returncode == 0, allowed.stderr
    broken = run(RW_MAX_QUARANTINED="0.2", RW_WORKERS="-1")
    assert broken.returncode == 2 and "RW_WORKERS" in broken.stderr


def test_library_defaults_come_from_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scheduler import ScheduleConfig
    from risk_warning.store.repository import AlertStore

    monkeypatch.setenv("RW_MAX_SUBJECT_DROP", "0.3")
    monkeypatch.setenv("RW_WORKERS", "5")
    monkeypatch.setenv("RW_RECHECK_DAYS", '{"函询": 60}')
    settings.cache_clear()
    try:
        assert InputPolicy().max_subject_drop == 0.3 and InputPolicy(max_subject_drop=0.5).max_subject_drop == 0.5
        config = ScheduleConfig(cron="0 2 * * *", data="exports")
        assert (config.workers, config.max_subject_drop) == (5, 0.3)
        store = AlertStore(f"sqlite:///{tmp_path / 's.db'}")
        assert store.recheck_days == {"诫勉": 183, "*": 90, "函询": 60}
        store.close()
    finally:
        settings.cache_clear()


def test_a_settings_file_under_the_environment_under_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from risk_warning.settings import CONFIG_VARIABLE

    path = tmp_path / "rw.yaml"
    path.write_text("db_url: sqlite:///from-file.db\nworkers: 3\nrules: [core]\ndata: demo\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_VARIABLE, str(path))
    monkeypatch.setenv("RW_WORKERS", "4")
    monkeypatch.delenv("RW_DB_URL", raising=False)
    read = Settings()
    assert (read.db_url, read.workers, read.rules, read.data) == ("sqlite:///from-file.db", 4, ["core"], "demo")


@pytest.mark.parametrize(
    ("text", "where", "said"),
    [
        ("workers: 2\ndb_ur: sqlite:///x.db\n", ":2:1:", "unknown setting 'db_ur' (did you mean 'db_url'?)"),
        ("db_url: x\nworkers: many\n", ":2:1: workers: 'many'", "valid integer"),
        ("workers: [1\n", ":2:1:", "not valid YAML"),
        ("- db_url\n", ":1:1:", "a settings file is a mapping"),
    ],
)
def test_a_mistake_in_the_settings_file_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str, said: str
) -> None:
    from risk_warning.settings import CONFIG_VARIABLE

    path = tmp_path / "rw.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_VARIABLE, str(path))
    monkeypatch.delenv("RW_WORKERS", raising=False)
    settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as info:
            settings()
    finally:
        settings.cache_clear()
    assert f"{path}{where}" in str(info.value) and said in str(info.value)


def test_the_command_line_reads_the_settings_file_and_its_flags_win(tmp_path: Path) -> None:
    from risk_warning import AlertStore

    AlertStore(f"sqlite:///{tmp_path / 'flag.db'}").close()
    path = tmp_path / "rw.yaml"
    path.write_text(f"db_url: sqlite:///{tmp_path / 'file.db'}\ndata: demo\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("RW_DB_URL", "RW_DATA")}
        return subprocess.run(
            [sys.executable, "-m", "risk_warning", "--settings", str(path), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )

    scanned = run("scan", "--as-of", "2026-06-30", "--max-quarantined", "0.2", "--workers", "0")
    assert scanned.returncode == 0, scanned.stderr  # data and store from the file
    assert "file.db: revision" in run("db", "current").stdout
    assert "flag.db: revision" in run("db", "current", "--db", f"sqlite:///{tmp_path / 'flag.db'}").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("workrs: 2\n", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "risk_warning", "--settings", str(bad), "validate", "core"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and f"{bad}:1:1: unknown setting 'workrs'" in refused.stderr
