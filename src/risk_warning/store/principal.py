"""Who is reading or changing the store, and what they may see and do (干部管理权限).

A ``Principal`` is bound to an ``AlertStore`` when it is opened, and every query and change goes through
it: the scope is applied in the store layer, not by the caller, so no command, endpoint or report can
forget it. An alert outside the scope does not exist for the principal ("no alert #N", a 404 later), so a
probe cannot tell "not yours" from "not there".

* ``units``: org units whose alerts it sees, each with the units under it in the organisation chart the
  scans keep (``org_unit``); None sees every unit. An alert with no unit is seen only by an unscoped one.
* ``kinds``: subject kinds it sees (cadre, unit, project, contract); None sees every kind.
* ``role``: viewer (reads), triager (+ triage, false positive), disposer (+ dispositions, replies,
  education, suppressions, the other lifecycle moves), admin (+ scans and the audit trail).

The local default (the CLI, an embedding program) is named by ``RW_IDENTITY`` or the operating-system
account, an unscoped admin unless ``RW_ROLE`` and ``RW_UNITS`` say otherwise.
"""

from __future__ import annotations

import enum
import getpass
import os
import socket
from dataclasses import dataclass

from risk_warning.errors import StoreError
from risk_warning.facts._base import subject_kind
from risk_warning.settings import settings


class Role(enum.StrEnum):
    VIEWER = "viewer"
    TRIAGER = "triager"
    DISPOSER = "disposer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class NotPermittedError(StoreError):
    """The principal's role does not allow this (a 403 later): says who, what, and the role it needs."""


@dataclass(frozen=True)
class Principal:
    """Who is signed in, from where, with which role and scope."""

    identity: str
    origin: str
    role: Role = Role.ADMIN
    units: frozenset[str] | None = None
    kinds: frozenset[str] | None = None

    @classmethod
    def local(cls) -> Principal:
        """The CLI's and an embedding program's: ``RW_IDENTITY`` (else the operating-system account), with
        ``RW_ROLE`` (admin) and ``RW_UNITS`` (every unit) from the settings."""
        config = settings()
        units = frozenset(config.units) if config.units is not None else None
        origin = f"{os.getpid()}@{socket.gethostname()}"
        return cls(config.identity or _account(), origin, Role(config.role), units)

    @property
    def scoped(self) -> bool:
        return self.units is not None or self.kinds is not None

    def require(self, role: Role, what: str) -> None:
        if self.role.rank < role.rank:
            raise NotPermittedError(f"{self.identity} ({self.role}) may not {what}: that needs the {role} role")

    def require_unscoped_admin(self, what: str) -> None:
        """What writes or reads every unit (a scan, the audit trail's whole): an admin who sees every unit."""
        self.require(Role.ADMIN, what)
        if self.scoped:
            raise NotPermittedError(f"{self.identity} sees some units only and may not {what}")

    def sees_kind(self, subject_id: str) -> bool:
        return self.kinds is None or subject_kind(subject_id) in self.kinds


def _account() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return f"uid {os.getuid()}"
