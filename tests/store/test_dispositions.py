"""Closing the loop: a disposition on an alert becomes an intervention the rules see the next night."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.store.repository import AlertFilter, StoreError

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
DEMO = DirectorySource(ROOT / "fixtures" / "demo")


def h3(store: AlertStore) -> list[str]:
    return sorted(
        r.grade
        for r in store.alerts(AlertFilter(subject_id="C004", include_suppressed=True))
        if r.rule_id == "complaints.inquiry-reply-overdue" and r.status != "cleared"
    )


def test_an_inquiry_on_an_alert_is_chased_when_its_reply_is_late_and_red_when_untruthful(store_url: str) -> None:
    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store, full=False)
    (travel,) = [r for r in store.alerts() if r.subject_id == "C004"]
    with pytest.raises(StoreError, match="needs --reply-due"):
        store.dispose(travel.id or 0, "函询", date(2026, 7, 1), "市纪委监委", "监督科")
    entry = store.dispose(travel.id or 0, "函询", date(2026, 7, 1), "市纪委监委", "监督科", reply_due=date(2026, 7, 22))
    assert (entry.form, entry.family, entry.recheck_due) == (1, "travel", date(2026, 9, 29))
    assert store.alert(travel.id or 0).status == "in_disposition"
    scan(RULESETS, DEMO, date(2026, 7, 22), store=store, full=False)
    assert h3(store) == []  # due today
    scan(RULESETS, DEMO, date(2026, 7, 23), store=store, full=False)
    assert h3(store) == ["yellow"]  # a day late: chased
    store.record_reply(entry.id or 0, date(2026, 7, 24), False, "监督科")
    scan(RULESETS, DEMO, date(2026, 7, 25), store=store, full=False)
    assert h3(store) == ["red"]  # replied, but not truthfully: 从重
    actions = [h.action for h in store.history(travel.id or 0)]
    assert [a for a in actions if a in ("created", "disposition", "reply")] == ["created", "disposition", "reply"]
    assert "grade_changed" in actions  # 30 days after issue the unsurrendered passport went orange meanwhile
    store.close()


def test_admonition_rechecks_after_six_months_and_illegal_dispositions_are_refused(store_url: str) -> None:
    store = AlertStore(store_url)
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    first, second = store.alerts()[:2]
    entry = store.dispose(first.id or 0, "诫勉", date(2026, 7, 1), "局党组", "组织科")
    assert entry.recheck_due == date(2026, 12, 31)
    with pytest.raises(StoreError, match="unknown intervention"):
        store.dispose(second.id or 0, "罚款", date(2026, 7, 1), "局党组", "组织科")
    with pytest.raises(StoreError, match="is in_disposition"):
        store.dispose(first.id or 0, "提醒谈话", date(2026, 7, 2), "局党组", "组织科")
    store.close()


def test_recheck_periods_are_settings_of_the_store(tmp_path: Path) -> None:
    store = AlertStore(f"sqlite:///{tmp_path / 'params.db'}", recheck_days={"提醒谈话": 60, "*": 30})
    scan(RULESETS, DEMO, date(2026, 6, 30), store=store)
    first, second, third = store.alerts()[:3]
    talk = store.dispose(first.id or 0, "提醒谈话", date(2026, 7, 1), "局党组", "组织科")
    other = store.dispose(second.id or 0, "批评教育", date(2026, 7, 1), "局党组", "组织科")
    admonition = store.dispose(third.id or 0, "诫勉", date(2026, 7, 1), "局党组", "组织科")
    assert (talk.recheck_due, other.recheck_due, admonition.recheck_due) == (
        date(2026, 8, 30),
        date(2026, 7, 31),
        date(2026, 12, 31),
    )
    store.close()
