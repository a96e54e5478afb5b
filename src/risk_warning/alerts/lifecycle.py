"""The alert lifecycle's states, shared by the store (which moves alerts), escalation (which reads them
as signals) and incremental planning (which predicts what the store will hold)."""

from __future__ import annotations

import enum


class AlertStatus(enum.StrEnum):
    """The alert lifecycle. Scans set NEW, CLEARED and reopen; people set the rest."""

    NEW = "new"
    TRIAGED = "triaged"
    FALSE_POSITIVE = "false_positive"
    IN_DISPOSITION = "in_disposition"
    RECHECK = "recheck"
    CLOSED = "closed"
    ESCALATED = "escalated"
    CLEARED = "cleared"  # the condition no longer holds; the alert is kept, never deleted


# states in which a scan still watches the alert (it may clear it or change its grade)
WATCHED = frozenset({AlertStatus.NEW, AlertStatus.TRIAGED, AlertStatus.IN_DISPOSITION, AlertStatus.RECHECK})
# an alert in these states that holds again opens anew (a repeat)
REOPENS = frozenset({AlertStatus.CLEARED, AlertStatus.CLOSED})
