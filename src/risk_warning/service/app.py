"""The HTTP service: ``create_app()`` builds it; ``risk-warning serve`` runs it on uvicorn.

One store is opened for the service's life; each request reads and writes it as its caller (identity.py),
so the scope, the role and the audit trail are the store's business, exactly as for the CLI. Errors are
problem details (problems.py); every JSON answer is scrubbed of ID and phone numbers (responses.py);
bodies are size-limited (limits.py) and callers rate-limited (identity.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from risk_warning.bundled import package_version
from risk_warning.service import problems
from risk_warning.service.identity import Gatekeeper
from risk_warning.service.limits import BodyLimit
from risk_warning.service.responses import ScrubbedJSONResponse
from risk_warning.service.routes import alerts, audit, evaluate, lifecycle, reports, scans
from risk_warning.service.state import Service
from risk_warning.settings import Settings, settings
from risk_warning.store.repository import AlertStore

DESCRIPTION = """Integrity-risk early warning (廉政风险预警) for HR systems in any language.

Sign in with an API key (`Authorization: Bearer rwk_...`, made with `risk-warning keys add`) or through the
HR system's gateway (`X-RW-Identity`, `X-RW-Role`, `X-RW-Units`, with `X-RW-Gateway-Secret`). Every answer
is limited to the caller's org units (干部管理权限): an alert outside them is 404, like a missing one.
Every read of a subject's alerts, every change, export and scan is recorded in the audit trail.
Errors are RFC 9457 problem details (`application/problem+json`) with the library's own messages.
"""


class Health(BaseModel):
    status: str
    version: str


def create_app(db: str | None = None, *, config: Settings | None = None) -> FastAPI:
    """The service over the store at ``db`` (default: the settings' ``db_url``), which must exist."""
    config = config or settings()
    holder: dict[str, Service] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = AlertStore(db or config.db_url, setup="existing")
        try:
            app.state.service = Service(store, Gatekeeper.from_settings(store, config), config)
            holder["service"] = app.state.service
            yield
            app.state.service.wait_for_scans()
        finally:
            store.close()

    app = FastAPI(
        title="risk_warning", version=package_version(), description=DESCRIPTION, lifespan=lifespan,
        default_response_class=ScrubbedJSONResponse,
    )  # fmt: skip
    app.add_middleware(BodyLimit, max_bytes=config.max_request_bytes)
    problems.install(app)
    for router in (alerts.router, lifecycle.router, evaluate.router, scans.router, reports.router, audit.router):
        app.include_router(router, responses={"default": {"model": problems.Problem}})

    @app.get("/health", response_model=Health, tags=["service"], summary="Up, and which version (no sign-in)")
    def health() -> Health:
        return Health(status="ok", version=package_version())

    return app


def app_from_settings() -> FastAPI:
    """The service of one of several server processes (``serve --workers N``): its log as the settings say."""
    from risk_warning.run.logs import configure

    configure(settings().log_format)
    return create_app()
