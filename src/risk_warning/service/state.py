"""What the service holds while it runs, and the per-request store bound to the caller."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from risk_warning.service.identity import Gatekeeper
from risk_warning.settings import Settings
from risk_warning.store.principal import Principal
from risk_warning.store.repository import AlertStore

if TYPE_CHECKING:
    from risk_warning.evaluate.subject import Engine
    from risk_warning.rules.program import Ruleset


@dataclass
class Service:
    store: AlertStore  # opened once; each request reads and writes through ``acting_as(principal)``
    gatekeeper: Gatekeeper
    config: Settings
    _rulesets: list[Ruleset] | None = None
    _engine: Engine | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def rulesets(self) -> list[Ruleset]:
        """The rules of ``RW_RULES`` (and ``RW_CALENDAR``), loaded when first needed, once."""
        with self._lock:
            if self._rulesets is None:
                from risk_warning.rules.loader import load_rulesets

                self._rulesets = load_rulesets(self.config.rules, calendar=self.config.calendar)
            return self._rulesets

    def engine(self) -> Engine:
        """An engine over those rules, for evaluate requests."""
        rulesets = self.rulesets()
        with self._lock:
            if self._engine is None:
                from risk_warning.evaluate.subject import Engine

                self._engine = Engine(rulesets)
            return self._engine


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def principal_of(request: Request) -> Principal:
    return service_of(request).gatekeeper.principal(request)


def store_of(request: Request, principal: Annotated[Principal, Depends(principal_of)]) -> AlertStore:
    """The store as the caller: every query filtered by their scope, every change checked against their role,
    every read and change audited under their name, from their address."""
    return service_of(request).store.acting_as(principal)


CallerStore = Annotated[AlertStore, Depends(store_of)]
Caller = Annotated[Principal, Depends(principal_of)]
ServiceState = Annotated[Service, Depends(service_of)]
