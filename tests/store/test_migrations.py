"""Schema migrations keep existing data: a store from the first release upgrades in place."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from risk_warning import AlertStore
from risk_warning.errors import StoreUnavailableError
from risk_warning.store import migrate

SCAN_ROW = (
    "INSERT INTO scan_run (started_at, as_of, ruleset_hash, status, subjects, alerts, new_alerts, quarantined) "
    "VALUES (CURRENT_TIMESTAMP, '2026-06-30', 'h', 'completed', 1, 1, 1, 0)"
)
ALERT_ROW = (
    "INSERT INTO alert (fingerprint, rule_id, ruleset_id, ruleset_version, ruleset_hash, subject_id, grade, score, "
    "family, title, message, basis, disposition, recommended_education, evidence, education, params, as_of, "
    "first_seen, last_seen, first_scan_id, last_scan_id, status) VALUES ('fp1', 'r', 'rs', '1', 'h', 'c1', "
    "'yellow', 3, 'rotation', 't', 'm', 'b', 'd', 'e', '[]', '{}', '{}', '2026-06-30', '2026-06-30', "
    "'2026-06-30', 1, 1, 'new')"
)


@pytest.mark.parametrize("alembic_table", [True, False], ids=["revision-0001", "made-before-migrations"])
def test_upgrade_from_0001_keeps_alerts_and_gives_them_history(store_url: str, alembic_table: bool) -> None:
    engine = create_engine(store_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as c:
        c.execute(text(SCAN_ROW))
        c.execute(text(ALERT_ROW))
        if not alembic_table:
            c.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    store = AlertStore(store_url)  # upgrades to head
    (row,) = store.alerts()
    assert (row.fingerprint, row.grade, row.first_seen, row.cleared_at) == ("fp1", "yellow", date(2026, 6, 30), None)
    assert [h.action for h in store.history(row.id or 0)] == ["created"]
    assert migrate.current_revision(store.engine) == "0010"
    store.close()


def test_what_opening_a_store_may_do_to_it(store_url: str, tmp_path: Path) -> None:
    """``existing`` touches nothing and needs the store at this version; ``create`` makes a new store but never
    migrates one; ``upgrade`` does both. The refusals say what to do, and change nothing."""
    if store_url.startswith("sqlite"):
        with pytest.raises(StoreUnavailableError, match=r"no store at .*risk-warning db upgrade"):
            AlertStore(store_url, setup="existing")
        assert not list(tmp_path.iterdir())  # not even an empty file
    else:
        with pytest.raises(StoreUnavailableError, match="holds no store"):
            AlertStore(store_url, setup="existing")
    AlertStore(store_url, setup="create").close()
    engine = create_engine(store_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "0009")  # a store written by the previous version
    for setup in ("existing", "create"):
        with pytest.raises(StoreUnavailableError, match="at revision 0009 and this version needs 0010"):
            AlertStore(store_url, setup=setup)  # type: ignore[arg-type]
        assert migrate.current_revision(engine) == "0009"
    AlertStore(store_url, setup="upgrade").close()
    assert migrate.current_revision(engine) == "0010"
    AlertStore(store_url, setup="existing").close()
    engine.dispose()


def test_an_unreachable_or_unusable_store_is_one_message_with_the_password_hidden() -> None:
    url = "postgresql+psycopg://rw:secret@nosuchhost.invalid:5432/db"
    with pytest.raises(StoreUnavailableError) as info:
        AlertStore(url, setup="existing")
    assert "cannot reach the store at postgresql+psycopg://rw:***@nosuchhost.invalid:5432/db" in str(info.value)
    assert "secret" not in str(info.value)
    with pytest.raises(StoreUnavailableError, match="not a store URL"):
        AlertStore("not a url")
    with pytest.raises(StoreUnavailableError, match="not a store URL"):
        AlertStore("postgresql+nosuchdriver://h/db")


def test_without_the_postgres_extra_a_postgresql_url_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if `risk-warning[postgres]` were not installed
    with pytest.raises(
        StoreUnavailableError, match=r"needs the psycopg driver: pip install 'risk-warning\[postgres\]'"
    ):
        AlertStore("postgresql+psycopg://rw@127.0.0.1/db")
