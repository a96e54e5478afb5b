"""What every part of the store shares: the clock, chunked IN lists, and the alert history journal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from risk_warning.settings import settings
from risk_warning.store.tables import AlertHistory, AlertRecord


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """Today in the organisation's time zone (RW_TIMEZONE, Asia/Shanghai): the business date of a person's
    action. Timestamps stay in UTC; a triage at 07:30 in Beijing is dated that day, not the day before."""
    return datetime.now(ZoneInfo(settings().timezone)).date()


T = TypeVar("T")


def chunked(items: list[T], size: int = 500) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def record(
    session: Session,
    row: AlertRecord,
    actor: str,
    action: str,
    *,
    to_status: str | None = None,
    from_grade: str | None = None,
    to_grade: str | None = None,
    reason: str = "",
    created: bool = False,
    on: date | None = None,
) -> None:
    """One history entry; the status moves from the row's current one (none when just created) to ``to_status``.

    ``on`` is the business date of the change (a scan's as-of date, the date a decision was taken);
    it defaults to today in the organisation's time zone.
    """
    assert row.id is not None
    session.add(
        AlertHistory(
            alert_id=row.id,
            at=now(),
            actor=actor,
            action=action,
            from_status=None if created else row.status,
            to_status=to_status or row.status,
            from_grade=from_grade,
            to_grade=to_grade,
            reason=reason,
            effective_on=on or today(),
        )
    )
