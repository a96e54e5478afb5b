"""Schema migrations keep existing data: a store from the first release upgrades in place."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, text

from risk_warning import AlertStore
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
    assert migrate.current_revision(store.engine) == "0006"
    store.close()
