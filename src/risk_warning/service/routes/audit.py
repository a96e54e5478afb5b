"""The audit trail (an unscoped admin only; the store checks)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from risk_warning.service.state import CallerStore
from risk_warning.store.repository import AuditFilter
from risk_warning.store.stored import StoredAudit

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[StoredAudit], summary="The audit trail, oldest first (unscoped admin)")
def audit(
    store: CallerStore,
    identity: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[StoredAudit]:
    where = AuditFilter(identity, action, subject, since, until)
    rows = store.audit_log(where)
    said = " ".join(f"{k}={v}" for k, v in vars(where).items() if v is not None) or "everything"
    store.audit_read("audit.read", detail=f"{said} over HTTP")
    return rows
