"""Persistence of scans, alerts and quarantined records with SQLModel."""

from risk_warning.store.repository import AlertStore
from risk_warning.store.tables import AlertRecord, QuarantineRecord, ScanRun

__all__ = ["AlertRecord", "AlertStore", "QuarantineRecord", "ScanRun"]
