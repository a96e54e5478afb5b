"""API keys, on SQLite and PostgreSQL: a key signs in as its name, role and scope; only its hash is stored
(the key appears nowhere in the database); a revoked or unknown key signs nobody in; names are unique;
only an unscoped admin makes, lists or revokes keys; each making and revoking is on the audit trail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from risk_warning import AlertStore
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.store.repository import NotPermittedError, Principal, Role, StoreError

ROOT = Path(__file__).resolve().parents[2]


def test_a_key_signs_in_as_its_scope_and_only_its_hash_is_kept(store_url: str) -> None:
    store = AlertStore(store_url, principal=Principal("组织部管理员", "test"))
    record, key = store.create_key("县人事系统", Role.VIEWER, units=["U2", "U1"])
    assert key.startswith("rwk_") and len(key) > 40 and record.prefix == key[:10]
    who = store.principal_for(key, "10.0.0.7")
    assert who == Principal("县人事系统", "10.0.0.7", Role.VIEWER, frozenset({"U1", "U2"}), None)
    with store.engine.connect() as connection:  # the key itself is nowhere in the database
        for table in ("api_key", "audit_log"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert key not in json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)
    assert store.principal_for(key + "x", "10.0.0.7") is None and store.principal_for("", "x") is None
    with pytest.raises(StoreError, match="already an API key named '县人事系统'"):
        store.create_key("县人事系统", Role.ADMIN)
    assert store.revoke_key("县人事系统").revoked_at is not None
    assert store.principal_for(key, "10.0.0.7") is None
    assert [(k.name, k.revoked_at is not None) for k in store.api_keys()] == [("县人事系统", True)]
    assert [r.action for r in store.audit_log()] == ["key.created", "key.revoked"]
    scoped = AlertStore(store_url, principal=Principal("a", "b", Role.ADMIN, frozenset({"U1"})))
    for attempt in (lambda: scoped.create_key("x", Role.VIEWER), scoped.api_keys, lambda: scoped.revoke_key("x")):
        with pytest.raises(NotPermittedError, match="sees some units only"):
            attempt()
    scoped.close()
    store.close()


def test_the_keys_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keys.db'}"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "risk_warning", *args, "--db", db]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env})

    assert run("db", "upgrade").returncode == 0
    made = run("keys", "add", "--name", "人事系统", "--role", "triager", "--unit", "U01", "--format", "json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["key"]
    listed = run("keys", "list", "--format", "json")
    assert key not in listed.stdout and json.loads(listed.stdout)[0]["units"] == ["U01"]
    again = run("keys", "add", "--name", "人事系统", "--role", "viewer")
    assert again.returncode == ExitCode.CONFIG and "already an API key" in again.stderr
    assert run("keys", "add", "--name", "x", "--role", "boss").returncode == ExitCode.CONFIG
    assert run("keys", "list", RW_ROLE="viewer").returncode == ExitCode.NOT_PERMITTED
    assert "revoked" in run("keys", "revoke", "人事系统").stdout
    assert run("keys", "revoke", "nobody").returncode == ExitCode.CONFIG
