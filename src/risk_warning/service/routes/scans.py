"""Scans: start one over the service's export folder (``RW_DATA``), the same lease as every other scan; list
them, and one with its data-quality account."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from risk_warning.bundled import data_path
from risk_warning.errors import ConfigError, NotFoundError
from risk_warning.rules.date_ranges import AS_OF_RANGE
from risk_warning.service.state import CallerStore, ServiceState
from risk_warning.store.stored import StoredQuarantine, StoredScan

router = APIRouter(prefix="/scans", tags=["scans"])


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date | None = Field(None, ge=AS_OF_RANGE[0], le=AS_OF_RANGE[1],
                               description="Default: today in the organisation's time zone")  # fmt: skip
    full: bool = Field(False, description="Re-evaluate every subject, not only those that may have changed")
    accept_drop: str | None = Field(None, description="Who accepts a shrunken input (a reorganisation)")


class ScanOut(BaseModel):
    scan: StoredScan
    alerts: int
    new: int
    cleared: int
    quarantined: int
    held_back: int
    over_limit: list[str]


class ScanDetail(BaseModel):
    scan: StoredScan
    quarantined: list[StoredQuarantine] = Field(description="Every quarantined record, with its file, row and reason")


@router.post("", response_model=ScanOut, status_code=201, summary="Run a scan of RW_DATA now (unscoped admin)")
def start_scan(asked: ScanIn, store: CallerStore, service: ServiceState) -> ScanOut:
    from risk_warning.executors.registry import make_executor
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import scan
    from risk_warning.sources.directory import DirectorySource

    config = service.config
    store.principal.require_unscoped_admin("run a scan")  # before the export is read, not after
    if not config.data:
        raise ConfigError("the service has no export folder: set RW_DATA (or data: in the settings file)")
    as_of = asked.as_of or datetime.now(ZoneInfo(config.timezone)).date()
    policy = InputPolicy(max_subject_drop=config.max_subject_drop, max_quarantined=config.max_quarantined,
                         accepted_by=asked.accept_drop)  # fmt: skip
    source = DirectorySource(data_path(config.data))
    with closing(make_executor(config.executor, config.workers, config.scheduler)) as executor:
        result = scan(service.rulesets(), source, as_of, store=store, executor=executor, full=asked.full,
                      policy=policy)  # fmt: skip
    run = next(r for r in store.scans() if r.id == result.scan_id)
    return ScanOut(
        scan=run, alerts=len(result.alerts), new=result.new_alerts, cleared=result.cleared_alerts,
        quarantined=len(result.quarantined), held_back=len(result.held_subjects), over_limit=result.over_limit,
    )  # fmt: skip


@router.get("", response_model=list[StoredScan], summary="Every scan: date, status, counts")
def list_scans(store: CallerStore) -> list[StoredScan]:
    return store.scans()


@router.get("/{scan_id}", response_model=ScanDetail, summary="One scan with its quarantined records (unscoped)")
def show_scan(scan_id: int, store: CallerStore) -> ScanDetail:
    run = next((r for r in store.scans() if r.id == scan_id), None)
    if run is None:
        raise NotFoundError(f"no scan #{scan_id}")
    return ScanDetail(scan=run, quarantined=store.quarantine(scan_id))
