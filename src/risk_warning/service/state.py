"""What the service holds while it runs, and the per-request store bound to the caller."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
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

log = logging.getLogger(__name__)
SHUTDOWN_WAIT_SECONDS = 60  # a stopping service waits this long for a scan it started; a killed one is repaired


@dataclass
class Service:
    store: AlertStore  # opened once; each request reads and writes through ``acting_as(principal)``
    gatekeeper: Gatekeeper
    config: Settings
    _rulesets: list[Ruleset] | None = None
    _engine: Engine | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _scans: list[threading.Thread] = field(default_factory=list)

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

    def start_scan(self, run: Callable[[Callable[[int], None]], object]) -> int:
        """Run ``run(started)`` (a scan told to call ``started(scan_id)``) in a thread of its own and return
        the scan's id once it holds the lease and its run is recorded. What it raises before that (another
        scan holds the lease, no export folder) is raised here, for the request to answer; what happens
        after is the store's record of the scan (completed, refused or failed, with the reason)."""
        begun: Future[int] = Future()

        def work() -> None:
            try:
                run(begun.set_result)
            except BaseException as exc:
                if not begun.done():
                    begun.set_exception(exc)
                else:  # recorded in the store by the scan itself
                    log.warning("scan #%s ended with %s", begun.result(), type(exc).__name__)
            if not begun.done():
                begun.set_exception(RuntimeError("the scan ended without starting"))  # a bug: said, not waited on

        thread = threading.Thread(target=work, name="scan", daemon=True)
        with self._lock:
            self._scans = [t for t in self._scans if t.is_alive()]
            self._scans.append(thread)
        thread.start()
        return begun.result()

    def wait_for_scans(self, seconds: float = SHUTDOWN_WAIT_SECONDS) -> None:
        """On shutdown: let the scans this service started finish, up to ``seconds`` in all."""
        deadline = time.monotonic() + seconds
        for thread in self._scans:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("a scan is still running as the service stops: the next scan repairs what it left")
                return


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
