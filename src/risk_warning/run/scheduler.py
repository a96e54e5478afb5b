"""The nightly scan, scheduled with APScheduler 3.11 and a persistent job store in the alert database.

    risk-warning schedule --config schedule.yaml

``schedule.yaml``::

    cron: "30 2 * * *"          # every night at 02:30
    timezone: Asia/Shanghai
    data: /srv/hr-export         # a directory of fact files
    rules: [core]                # ruleset files or directories (core: the shipped rulesets)
    db: sqlite:///risk_warning.db
    site: null                   # optional site overrides
    calendar: null               # optional site calendar file (working-day years, corrections)
    workers: 2
    executor: null               # inline, processes or dask (null: by workers)
    scheduler: null              # a Dask scheduler, tcp://host:8786 (null with dask: a local cluster)
    misfire_grace_seconds: 3600  # a run missed by less than this (machine asleep) still runs, once
    full: false                  # true: re-evaluate every subject, not only those that may have changed

Runs are coalesced (missed runs become one), and there is never more than one instance at a time.
The store's lease keeps a manual scan and a scheduled one apart. SIGTERM and SIGINT stop the
scheduler after the running scan (if any) has finished. The job carries the as-of date rule: it
scans "as of today" in the configured time zone; that is the only place the wall clock is read.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from risk_warning.bundled import data_path
from risk_warning.errors import Diagnostic, Reason, RulesetError, SourceLocation
from risk_warning.settings import settings

log = logging.getLogger("risk_warning.run.scheduler")
JOB_ID = "nightly-scan"


class ScheduleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cron: str
    timezone: str = Field(default_factory=lambda: settings().timezone)  # RW_TIMEZONE unless the file says
    data: str | None = Field(default_factory=lambda: settings().data)  # RW_DATA unless the file says
    rules: list[str] = Field(default_factory=lambda: settings().rules)  # RW_RULES (default: core) unless the file says
    db: str = Field(default_factory=lambda: settings().db_url)  # RW_DB_URL unless the file says
    site: str | None = None
    calendar: str | None = Field(default_factory=lambda: settings().calendar)  # RW_CALENDAR unless the file says
    workers: int = Field(default_factory=lambda: settings().workers)  # RW_WORKERS unless the file says
    # where subjects are evaluated (RW_EXECUTOR, RW_SCHEDULER unless the file says): executors/registry.py
    executor: Literal["inline", "processes", "dask"] | None = Field(default_factory=lambda: settings().executor)
    scheduler: str | None = Field(default_factory=lambda: settings().scheduler)
    misfire_grace_seconds: int = 3600
    full: bool = False  # true: re-evaluate every subject every night
    mapping: str | None = None  # a site mapping file for the export's file names, headers and codes
    # refuse a night whose subjects dropped by more (RW_MAX_SUBJECT_DROP unless the file says)
    max_subject_drop: float = Field(default_factory=lambda: settings().max_subject_drop, ge=0, le=1)
    # refuse a night with a file quarantined beyond this share (RW_MAX_QUARANTINED unless the file says)
    max_quarantined: float = Field(default_factory=lambda: settings().max_quarantined, ge=0, le=1)


def load_config(path: str | Path) -> ScheduleConfig:
    """Read a schedule file; a bad one raises RulesetError with the file and the problem."""
    p = Path(path)
    try:
        config = ScheduleConfig.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")) or {})
        CronTrigger.from_crontab(config.cron, timezone=ZoneInfo(config.timezone))
    except ValidationError as exc:
        raise RulesetError(
            [
                Diagnostic(SourceLocation(str(p)), Reason.SCHEMA, f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
                for e in exc.errors()
            ]
        ) from None
    except (ValueError, KeyError) as exc:
        raise RulesetError(
            [
                Diagnostic(
                    SourceLocation(str(p)),
                    Reason.BAD_VALUE,
                    str(exc),
                    "cron is five fields: minute hour day month weekday",
                )
            ]
        ) from None
    return config


def nightly_scan(config: dict[str, object]) -> str:
    """The job: scan as of today; a scan already in progress means this night's run is skipped."""
    from risk_warning.errors import ScanRefusedError, StoreUnavailableError
    from risk_warning.executors.registry import make_executor
    from risk_warning.rules.loader import load_rulesets
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.progress import ScanProgress
    from risk_warning.run.scan import scan
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.store.repository import AlertStore, ScanInProgressError

    cfg = ScheduleConfig.model_validate(config)
    as_of = datetime.now(ZoneInfo(cfg.timezone)).date()
    try:
        if not cfg.data:
            raise RulesetError([Diagnostic(SourceLocation("schedule"), Reason.SCHEMA, "no data directory: set data")])
        rulesets = load_rulesets(cfg.rules, overrides=cfg.site, calendar=cfg.calendar)
        store = AlertStore(cfg.db, setup="create")
    except (RulesetError, StoreUnavailableError) as exc:  # changed since the scheduler started: say it, no trace
        log.error("could not start the scan as of %s: %s", as_of, str(exc).replace("\n", "; "))
        return "failed"
    policy = InputPolicy(max_subject_drop=cfg.max_subject_drop, max_quarantined=cfg.max_quarantined)
    source = DirectorySource(data_path(cfg.data), mapping=cfg.mapping)
    try:
        with closing(make_executor(cfg.executor, cfg.workers, cfg.scheduler)) as executor:
            told = ScanProgress(log.info, every=60.0)
            result = scan(
                rulesets, source, as_of, store=store, executor=executor, full=cfg.full, policy=policy, progress=told
            )
    except ScanInProgressError as exc:
        log.warning("skipped the scan as of %s: %s", as_of, exc)
        return "skipped"
    except ScanRefusedError as exc:  # recorded in the store; an operator looks, fixes or accepts by name
        log.error("refused the scan #%s as of %s: %s", exc.scan_id, as_of, exc, extra={"scan_id": exc.scan_id})
        return "refused"
    finally:
        store.close()
    summary = (
        f"scan #{result.scan_id} as of {as_of}: {len(result.alerts)} alerts, {result.new_alerts} new, "
        f"{result.cleared_alerts} cleared, {len(result.quarantined)} quarantined, {len(result.held_subjects)} held back"
    )
    about = {"scan_id": result.scan_id}
    for line in result.over_limit:  # written, but an operator should look at the export
        log.warning("quarantined beyond the limit: %s", line, extra=about)
    log.info(summary, extra=about)
    return summary


def build_scheduler(config: ScheduleConfig, *, run_now: bool = False) -> BackgroundScheduler:
    tz = ZoneInfo(config.timezone)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=config.db, tablename="scheduled_job")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": config.misfire_grace_seconds},
        timezone=tz,
    )
    kwargs = {"config": config.model_dump()}
    scheduler.add_job(
        "risk_warning.run.scheduler:nightly_scan",
        CronTrigger.from_crontab(config.cron, timezone=tz),
        id=JOB_ID,
        name="nightly integrity-risk scan",
        kwargs=kwargs,
        replace_existing=True,
    )
    if run_now:
        scheduler.add_job(
            "risk_warning.run.scheduler:nightly_scan",
            id=f"{JOB_ID}-now",
            kwargs=kwargs,
            replace_existing=True,
            next_run_time=datetime.now(tz),
        )
    return scheduler


def run(config: ScheduleConfig, *, run_now: bool = False) -> None:
    """Run the scheduler until SIGTERM or SIGINT; a running scan is allowed to finish.

    The scheduler works on its own thread; this (main) thread only waits for the signal, in waits of
    a second. A signal may land on any thread, and Python runs its handler on the main thread only
    when that thread next runs Python code: one long wait (a BlockingScheduler sleeps until the next
    cron time) kept a SIGTERM pending for hours. The scheduler is shut down here, never inside the
    handler, so it is not torn down under its own job-processing loop.
    """
    scheduler = build_scheduler(config, run_now=run_now)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the running scan, if any", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduled %r (%s) on %s", config.cron, config.timezone, config.db.split("@")[-1])
    scheduler.start()
    while not stopping.wait(1.0):
        pass
    scheduler.shutdown(wait=True)
    log.info("scheduler stopped")
