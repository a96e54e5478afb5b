"""``risk-warning serve``: the HTTP service (service/) on uvicorn, and ``openapi``: its contract as JSON."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from risk_warning.cli._common import DEFAULT_DB, DbOpt, err
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.settings import settings


def _service_modules() -> None:
    try:
        import fastapi  # noqa: F401
        import limits  # noqa: F401
        import uvicorn  # noqa: F401
    except ModuleNotFoundError as exc:
        err.print(f"the service needs {exc.name}: pip install 'risk-warning[service]'", markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None


def serve(
    db: DbOpt = DEFAULT_DB,
    host: Annotated[str | None, typer.Option(help="Listen on. [default: RW_SERVICE_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port (0: any free one). [default: RW_SERVICE_PORT or 8000]")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Server processes. [default: RW_SERVICE_WORKERS or 1]")
    ] = None,
) -> None:
    """Run the HTTP API for HR systems (API keys, the gateway's header; scopes, audit): see docs/service.md.

    The store must exist (`risk-warning db upgrade`). Stops on SIGTERM or Ctrl-C after the requests in hand.
    """
    _service_modules()
    import uvicorn

    from risk_warning.run.logs import configure
    from risk_warning.service import create_app
    from risk_warning.service.identity import checked_settings
    from risk_warning.store.repository import AlertStore

    config = settings()
    checked_settings(config)  # a bad rate or gateway setting: main() says which, exit 2
    AlertStore(db, setup="existing").close()  # missing, older or unreachable: main() says so, exit 6
    configure(config.log_format)
    workers = workers or config.service_workers
    bind_host, bind_port = host or config.service_host, config.service_port if port is None else port
    if workers > 1:  # uvicorn's supervisor starts each process from the settings: the store named here included
        if db:
            os.environ["RW_DB_URL"] = db
        uvicorn.run("risk_warning.service.app:app_from_settings", factory=True, workers=workers, log_config=None,
                    server_header=False, timeout_graceful_shutdown=30, host=bind_host, port=bind_port)  # fmt: skip
        return
    server = uvicorn.Server(
        uvicorn.Config(create_app(db, config=config), log_config=None, server_header=False,
                       timeout_graceful_shutdown=30, host=bind_host, port=bind_port)
    )  # fmt: skip
    server.run()
    if not server.started:  # the address was taken or not ours; uvicorn has logged why
        err.print("the service did not start (see the line above); nothing was served", markup=False)
        raise typer.Exit(ExitCode.CONFIG)


def openapi(
    output: Annotated[Path | None, typer.Option("--out", help="Write it here (default: print it).")] = None,
) -> None:
    """The service's OpenAPI document (docs/openapi.json is this, kept current by a test)."""
    _service_modules()
    from risk_warning.service import create_app

    document = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document, encoding="utf-8")
