"""The scan lease: one scan at a time per store, taken by compare-and-set in one statement."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import or_, update
from sqlmodel import Session, col

from risk_warning.errors import ScanInProgressError
from risk_warning.store.journal import now
from risk_warning.store.principal import Principal
from risk_warning.store.tables import ScanLease


class Leases:
    """Take, renew and release the lease; a dead holder on this host is taken over at once."""

    engine: SqlEngine
    principal: Principal

    def acquire_lease(self, holder: str, ttl: timedelta = timedelta(minutes=10), name: str = "scan") -> None:
        """Take the lease, or raise ScanInProgressError naming who holds it. Also renews our own lease. Only
        an unscoped admin runs scans: anyone else is refused before the lease is touched."""
        self.principal.require_unscoped_admin("run a scan")
        with Session(self.engine) as session:
            t = now()
            taken = session.exec(
                update(ScanLease)
                .where(col(ScanLease.name) == name)
                .where(or_(col(ScanLease.holder) == holder, col(ScanLease.expires_at) < t))
                .values(holder=holder, acquired_at=t, expires_at=t + ttl)
            ).rowcount
            if taken == 0:
                existing = session.get(ScanLease, name)
                if existing is None:
                    session.add(ScanLease(name=name, holder=holder, acquired_at=t, expires_at=t + ttl))
                elif (
                    _holder_is_dead(existing.holder)
                    and session.exec(
                        # killed on this machine (SIGKILL, OOM): its lease would otherwise block until it expires;
                        # compare-and-set, so two scans cannot both take it over
                        update(ScanLease)
                        .where(col(ScanLease.name) == name)
                        .where(col(ScanLease.holder) == existing.holder)
                        .values(holder=holder, acquired_at=t, expires_at=t + ttl)
                    ).rowcount
                ):
                    pass
                else:
                    raise ScanInProgressError(existing.holder, _aware(existing.expires_at))
            try:
                session.commit()
            except Exception as exc:  # a concurrent insert of the first lease row
                session.rollback()
                current = session.get(ScanLease, name)
                if current is not None and current.holder != holder:
                    raise ScanInProgressError(current.holder, _aware(current.expires_at)) from exc
                raise

    def release_lease(self, holder: str, name: str = "scan") -> None:
        with Session(self.engine) as session:
            lease = session.get(ScanLease, name)
            if lease is not None and lease.holder == holder:
                lease.expires_at = now() - timedelta(seconds=1)
                session.add(lease)
                session.commit()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _holder_is_dead(holder: str) -> bool:
    """True for a holder ``host:pid:token`` on this host whose process no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
