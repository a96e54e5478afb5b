"""What the store answers with: plain, detached records (pydantic), never ORM rows.

Each has the columns of its table (the ``*Fields`` bases in ``tables.py``: one definition) and its
id. They can be kept after the session that read them closed, compared, dumped to JSON, and served
by the service as they are; changing one changes nothing in the store (actions do that).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlmodel import SQLModel
from sqlmodel._compat import SQLModelConfig  # the type of model_config on SQLModel subclasses

from risk_warning.store.tables import (
    WATCHED,
    AlertChangeFields,
    AlertFields,
    AlertStatus,
    ApiKeyFields,
    AuditFields,
    DispositionFields,
    EducationAssignmentFields,
    QuarantineFields,
    ScanFields,
    SuppressionFields,
)

__all__ = [
    "WATCHED",
    "AlertStatus",
    "StoredAlert",
    "StoredApiKey",
    "StoredAssignment",
    "StoredAudit",
    "StoredChange",
    "StoredDisposition",
    "StoredQuarantine",
    "StoredScan",
    "StoredSuppression",
    "detached",
]


class _Detached(SQLModel):
    """What a stored record adds to its table's columns: its id, and no setters."""

    model_config = SQLModelConfig(frozen=True, from_attributes=True)
    id: int


class StoredAlert(AlertFields, _Detached):
    """An alert as the store keeps it: tonight's content plus its lifecycle (status, seen, cleared)."""


class StoredChange(AlertChangeFields, _Detached):
    """One change in an alert's history: who, when, from what to what, why."""


class StoredScan(ScanFields, _Detached):
    """One scan: its date, counts, status and data-quality summary."""


class StoredQuarantine(QuarantineFields, _Detached):
    """A record a scan left out, where it came from and why."""


class StoredSuppression(SuppressionFields, _Detached):
    """A subject (and optionally one rule) exempted until a date."""


class StoredDisposition(DispositionFields, _Detached):
    """处置: an intervention decided on an alert, its reply and its re-check."""


class StoredApiKey(ApiKeyFields, _Detached):
    """An API key as listed: name, prefix, role, scope, who made it, revoked or not; never the key."""


class StoredAudit(AuditFields, _Detached):
    """One audit record: who did or read what, when, about whom, from where."""


class StoredAssignment(EducationAssignmentFields, _Detached):
    """针对性教育 assigned on an alert, and its completion."""


R = TypeVar("R", bound=SQLModel)


def detached(kind: type[R], rows: Iterable[Any]) -> list[R]:
    """ORM rows read in a session as detached records of ``kind``."""
    return [kind.model_validate(row) for row in rows]
