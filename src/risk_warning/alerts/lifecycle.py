"""The alert lifecycle's states, shared by the store (which moves alerts), escalation (which reads them
as signals) and incremental planning (which predicts what the store will hold)."""

from __future__ import annotations

import enum
from datetime import date

from risk_warning.alerts.model import Alert
from risk_warning.facts.history import Signal


class AlertStatus(enum.StrEnum):
    """The alert lifecycle. Scans set NEW, CLEARED, RETIRED and reopen; people set the rest."""

    NEW = "new"
    TRIAGED = "triaged"
    FALSE_POSITIVE = "false_positive"
    IN_DISPOSITION = "in_disposition"
    RECHECK = "recheck"
    CLOSED = "closed"
    ESCALATED = "escalated"
    CLEARED = "cleared"  # the condition no longer holds; the alert is kept, never deleted
    RETIRED = "retired"  # its rule was disabled (a site file, the ruleset): no verdict on the condition; kept


# states in which a scan still watches the alert (it may clear it or change its grade)
WATCHED = frozenset({AlertStatus.NEW, AlertStatus.TRIAGED, AlertStatus.IN_DISPOSITION, AlertStatus.RECHECK})
# an alert in these states that holds again opens anew (a repeat)
REOPENS = frozenset({AlertStatus.CLEARED, AlertStatus.CLOSED, AlertStatus.RETIRED})
# states in which the alert no longer holds as far as the store knows
ENDED = frozenset({AlertStatus.CLEARED, AlertStatus.RETIRED})


def signal_after(alert: Alert, prior: Signal | None, as_of: date) -> Signal:
    """The signal an alert that holds on ``as_of`` is once the store has recorded it: first seen when it
    was first seen, opened anew (and new again) if it had been cleared or closed, otherwise as it was."""
    again = prior is None or prior.status in REOPENS
    return Signal.of(
        fingerprint=alert.fingerprint,
        subject_id=alert.subject_id,
        rule_id=alert.rule_id,
        family=alert.family,
        grade=alert.grade,
        first_seen=prior.first_seen if prior is not None else as_of,
        opened_on=as_of if again or prior is None else prior.opened_on,
        last_seen=as_of if prior is None else max(prior.last_seen, as_of),
        status=AlertStatus.NEW.value if again or prior is None else prior.status,
    )
