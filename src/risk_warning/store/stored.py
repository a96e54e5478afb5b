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
    "StoredAssignment",
    "StoredChange",
    "StoredDisposition",
    "StoredQuarantine",
    "StoredScan",
    "StoredSuppression",
    "detached",
]

_FROZEN = SQLModelConfig(frozen=True, from_attributes=True)


class StoredAlert(AlertFields):
    """An alert as the store keeps it: tonight's content plus its lifecycle (status, seen, cleared)."""

    model_config = _FROZEN
    id: int


class StoredChange(AlertChangeFields):
    """One change in an alert's history: who, when, from what to what, why."""

    model_config = _FROZEN
    id: int


class StoredScan(ScanFields):
    """One scan: its date, counts, status and data-quality summary."""

    model_config = _FROZEN
    id: int


class StoredQuarantine(QuarantineFields):
    """A record a scan left out, where it came from and why."""

    model_config = _FROZEN
    id: int


class StoredSuppression(SuppressionFields):
    """A subject (and optionally one rule) exempted until a date."""

    model_config = _FROZEN
    id: int


class StoredDisposition(DispositionFields):
    """处置: an intervention decided on an alert, its reply and its re-check."""

    model_config = _FROZEN
    id: int


class StoredAssignment(EducationAssignmentFields):
    """针对性教育 assigned on an alert, and its completion."""

    model_config = _FROZEN
    id: int


R = TypeVar("R", bound=SQLModel)


def detached(kind: type[R], rows: Iterable[Any]) -> list[R]:
    """ORM rows read in a session as detached records of ``kind``."""
    return [kind.model_validate(row) for row in rows]
