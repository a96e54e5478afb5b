"""Persistence of scans, alerts and quarantined records with SQLModel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from risk_warning.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from risk_warning.store.repository import AlertStore
    from risk_warning.store.tables import AlertRecord, QuarantineRecord, ScanRun

__all__ = ["AlertRecord", "AlertStore", "QuarantineRecord", "ScanRun"]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "AlertStore": "risk_warning.store.repository",
        "AlertRecord": "risk_warning.store.tables",
        "QuarantineRecord": "risk_warning.store.tables",
        "ScanRun": "risk_warning.store.tables",
    },
)
