"""The principal's scope applied to the store's reads and changes (see ``principal.py``): the units it sees,
expanded to their subtrees in the organisation chart, as an IN list on the alert's unit; the subject kinds
it sees, checked on each row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlmodel import Session, col, select

from risk_warning.errors import NotFoundError
from risk_warning.store.principal import Principal
from risk_warning.store.tables import AlertRecord, OrgUnitRecord


def subtree(session: Session, units: Iterable[str]) -> set[str]:
    """These units and every unit under them in the organisation chart."""
    children: dict[str, list[str]] = {}
    for unit, parent in session.exec(select(OrgUnitRecord.org_unit_id, OrgUnitRecord.parent_id)):
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    found, todo = set(units), list(units)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:  # a cycle in a bad export stops here
                found.add(child)
                todo.append(child)
    return found


class Scoping:
    """What every reader and writer of alerts uses to see only the principal's."""

    engine: SqlEngine
    principal: Principal

    def units_seen(self, session: Session) -> set[str] | None:
        """The org units whose alerts the principal sees; None: every unit (and alerts with none)."""
        return None if self.principal.units is None else subtree(session, self.principal.units)

    def scoped(self, query: Any, units: set[str] | None) -> Any:
        """``query`` (on the alert table) kept to ``units``."""
        return query if units is None else query.where(col(AlertRecord.org_unit_id).in_(sorted(units)))

    def sees(self, row: AlertRecord | None, units: set[str] | None) -> bool:
        if row is None:
            return False
        in_units = units is None or (row.org_unit_id is not None and row.org_unit_id in units)
        return in_units and self.principal.sees_kind(row.subject_id)

    def alert_row(self, session: Session, alert_id: int) -> AlertRecord:
        """The alert, if the principal sees it; otherwise it does not exist for them."""
        row = session.get(AlertRecord, alert_id)
        if row is None or not self.sees(row, self.units_seen(session)):
            raise NotFoundError(f"no alert #{alert_id}")
        return row
