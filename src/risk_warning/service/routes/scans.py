"""Scans: start one over the service's export folder (``RW_DATA``), the same lease as every other scan; list
them, and one with its data-quality account.

A scan of a province takes minutes, longer than an HR system's HTTP client or a proxy waits: with
``"wait": false`` the answer is 202 as soon as the scan holds the lease, with its id and ``Location:
/scans/{id}`` to follow it (``running``, then ``completed``, ``refused`` or ``failed``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from risk_warning.bundled import data_path
from risk_warning.errors import ConfigError, NotFoundError
from risk_warning.rules.date_ranges import AS_OF_RANGE
from risk_warning.service.state import CallerStore, ServiceState
from risk_warning.store.repository import AlertStore
from risk_warning.store.stored import StoredQuarantine, StoredScan

router = APIRouter(prefix="/scans", tags=["scans"])


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date | None = Field(None, ge=AS_OF_RANGE[0], le=AS_OF_RANGE[1],
                               description="Default: today in the organisation's time zone")  # fmt: skip
    full: bool = Field(False, description="Re-evaluate every subject, not only those that may have changed")
    accept_drop: str | None = Field(None, description="Who accepts a shrunken input (a reorganisation)")
    wait: bool = Field(True, description="Answer when the scan is written (201), or as soon as it runs (false: "
                                         "202 with its id and Location; follow it at GET /scans/{id})")  # fmt: skip


class ScanOut(BaseModel):
    scan: StoredScan
    alerts: int
    new: int
    cleared: int
    quarantined: int
    held_back: int
    over_limit: list[str]


class ScanStarted(BaseModel):
    scan: StoredScan = Field(description="The scan as it starts: status running")


class ScanDetail(BaseModel):
    scan: StoredScan
    quarantined: list[StoredQuarantine] = Field(description="Every quarantined record, with its file, row and reason")


@router.post(
    "", response_model=ScanOut, status_code=201, summary="Run a scan of RW_DATA now (unscoped admin)",
    responses={202: {"model": ScanStarted, "description": "Started (`wait: false`): follow it at Location"}},
)  # fmt: skip
def start_scan(asked: ScanIn, store: CallerStore, service: ServiceState) -> ScanOut | JSONResponse:
    from risk_warning.executors.registry import make_executor
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import ScanResult, scan
    from risk_warning.sources.directory import DirectorySource

    config = service.config
    store.principal.require_unscoped_admin("run a scan")  # before the export is read, not after
    if not config.data:
        raise ConfigError("the service has no export folder: set RW_DATA (or data: in the settings file)")
    as_of = asked.as_of or datetime.now(ZoneInfo(config.timezone)).date()
    policy = InputPolicy(max_subject_drop=config.max_subject_drop, max_quarantined=config.max_quarantined,
                         accepted_by=asked.accept_drop)  # fmt: skip
    source = DirectorySource(data_path(config.data))
    rulesets = service.rulesets()

    as_started: dict[int, StoredScan] = {}

    def run(started: Callable[[int], None] | None = None) -> ScanResult:
        def told(scan_id: int) -> None:
            as_started[scan_id] = _scan(store, scan_id)  # read before the scan goes on: running
            if started is not None:
                started(scan_id)

        with closing(make_executor(config.executor, config.workers, config.scheduler)) as executor:
            return scan(rulesets, source, as_of, store=store, executor=executor, full=asked.full, policy=policy,
                        started=told if started is not None else None)  # fmt: skip

    if not asked.wait:
        scan_id = service.start_scan(run)
        body = ScanStarted(scan=as_started[scan_id]).model_dump(mode="json")
        return JSONResponse(body, status_code=202, headers={"Location": f"/scans/{scan_id}"})
    result = run()
    assert result.scan_id is not None
    return ScanOut(
        scan=_scan(store, result.scan_id), alerts=len(result.alerts), new=result.new_alerts,
        cleared=result.cleared_alerts, quarantined=len(result.quarantined), held_back=len(result.held_subjects),
        over_limit=result.over_limit,
    )  # fmt: skip


def _scan(store: AlertStore, scan_id: int) -> StoredScan:
    found = next((r for r in store.scans() if r.id == scan_id), None)
    if found is None:
        raise NotFoundError(f"no scan #{scan_id}")
    return found


@router.get("", response_model=list[StoredScan], summary="Every scan: date, status, counts")
def list_scans(store: CallerStore) -> list[StoredScan]:
    return store.scans()


@router.get("/{scan_id}", response_model=ScanDetail, summary="One scan with its quarantined records (unscoped)")
def show_scan(scan_id: int, store: CallerStore) -> ScanDetail:
    return ScanDetail(scan=_scan(store, scan_id), quarantined=store.quarantine(scan_id))
