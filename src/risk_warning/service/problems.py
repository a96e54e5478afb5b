"""Errors as problem details (RFC 9457, ``application/problem+json``), with the library's own messages.

Each error the library raises on purpose has one status here, so an HR system written in any language can
act on the status and show the ``detail`` (the same words the CLI prints): an alert outside the caller's
scope is 404 exactly like a missing one; a role that may not do something is 403; a change the alert's
state does not allow is 409; a request the library refuses as stated is 422; a scan already running is
409 with ``Retry-After``. Anything else is a 500 whose detail says only that it is a bug and which
request it was (the log has the rest, scrubbed).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from risk_warning.errors import (
    ConfigError,
    ConflictError,
    DataError,
    MappingError,
    NotFoundError,
    OverBudgetError,
    RulesetError,
    ScanInProgressError,
    ScanRefusedError,
    StoreError,
    StoreUnavailableError,
)
from risk_warning.privacy import scrub
from risk_warning.store.principal import NotPermittedError

log = logging.getLogger("risk_warning.service")
PROBLEM_TYPE = "urn:risk-warning:problem:"  # + the code (a name, not a page); docs/service.md lists them
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details, and ``code``: the library's name for the error (stable, for programs)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None  # for 422 on a malformed request: each field and why


# the library's errors, most specific first: (class, status, code, title)
STATUS: list[tuple[type[Exception], int, str, str]] = [
    (NotPermittedError, 403, "not-permitted", "Not permitted"),
    (NotFoundError, 404, "not-found", "Not found"),
    (ConflictError, 409, "conflict", "Not allowed in the record's state"),
    (ScanInProgressError, 409, "scan-in-progress", "A scan is in progress"),
    (ScanRefusedError, 409, "scan-refused", "The scan was refused"),
    (StoreUnavailableError, 503, "store-unavailable", "The store cannot be used"),
    (StoreError, 422, "refused", "Refused as stated"),
    (RulesetError, 422, "ruleset", "The ruleset is not valid"),
    (DataError, 422, "data", "The facts are not valid"),
    (MappingError, 422, "mapping", "The mapping is not valid"),
    (OverBudgetError, 422, "over-budget", "A rule would test too many combinations of one subject's facts"),
    (ConfigError, 503, "config", "The service is not configured"),
]


def problem(status: int, code: str, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body = Problem(
        type=PROBLEM_TYPE + code, title=title, status=status, detail=scrub(detail), code=code,
        instance=str(request.url.path), **extra,
    )  # fmt: skip
    headers = {"Retry-After": "30"} if code == "scan-in-progress" else None
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _library_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, code, title in STATUS:
        if isinstance(exc, kind):
            return problem(status, code, title, str(exc), request)
    raise exc  # not reached: registered for these classes only


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {401: "unauthenticated", 404: "not-found", 405: "method-not-allowed", 413: "too-large", 429: "rate-limited"}
    response = problem(exc.status_code, code.get(exc.status_code, "http"), _title(exc.status_code), str(exc.detail),
                       request)  # fmt: skip
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]  # never the input itself: it may carry personal data
    said = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return problem(422, "invalid-request", "The request is not valid", said + more, request, errors=errors[:100])


def _bug(request: Request, exc: Exception) -> JSONResponse:
    ref = uuid.uuid4().hex[:12]
    log.error("a bug answering %s %s (ref %s): %s", request.method, request.url.path, ref, scrub(repr(exc)),
              exc_info=exc)  # fmt: skip
    detail = f"an internal error (a bug in risk_warning); the service's log has it under ref {ref}"
    return problem(500, "internal", "Internal error", detail, request)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    for kind, *_ in STATUS:
        app.add_exception_handler(kind, _library_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _bug)
