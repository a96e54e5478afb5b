"""Every setting of risk_warning in one model, read from ``RW_*`` environment variables.

Entry points (the CLI, the scheduler, an embedding application) read ``Settings()``; library code never
hides a default for a secret. ``RW_TOKEN_KEY`` has none: without it, a record that carries a sensitive
value rules must compare (a bid deposit account, an IP address, an ID number on a 任免审批表) cannot be
read, and the error says so (``token_key()``).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from risk_warning.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RW_", extra="ignore")

    db_url: str = "sqlite:///risk_warning.db"  # the store: SQLite file by default, PostgreSQL by URL
    token_key: SecretStr | None = None  # the site's secret for keyed tokens: the same on every machine
    workers: int = Field(2, ge=0)  # worker processes for a scan (0: in the scanning process)
    # where a scan's subjects are evaluated: inline, processes (this machine) or dask; unset: by ``workers``
    executor: Literal["inline", "processes", "dask"] | None = None
    scheduler: str | None = None  # a Dask scheduler's address (tcp://host:8786); unset: a LocalCluster
    scheduler_timeout: float = Field(30.0, gt=0)  # seconds to reach the scheduler before the scan gives up
    max_subject_drop: float = Field(0.10, ge=0, le=1)  # input check: refuse when subjects dropped by more
    max_quarantined: float = Field(0.01, ge=0, le=1)  # input check: share of one file that may be quarantined
    lease_minutes: int = Field(10, ge=1)  # a scan's lease on the store lasts this long unless renewed
    lookback_days: int = Field(730, ge=1)  # earlier alerts older than this are not given to escalation rules
    # a scan over more input than this (MB of files) spills its rows to disk and evaluates them a bucket of
    # subjects at a time: memory is bounded by a bucket, not by the export (sources/spill.py)
    scan_bucket_mb: int = Field(64, ge=1)
    read_threads: int = Field(2, ge=1, le=64)  # threads checking the chunks of a file as it is read
    calendar: str | None = None  # a site calendar file: working-day years and corrections (rules/calendar_file.py)
    scan_buckets_at_once: int = Field(1, ge=1, le=8)  # buckets of subjects looked at side by side (memory x n)
    recheck_days: dict[str, int] = Field(default_factory=dict)  # by intervention type, over the defaults
    # (RW_RECHECK_DAYS='{"函询": 60, "*": 120}'; the defaults: 183 days after 诫勉, 90 after the others)


@cache
def settings() -> Settings:
    """The process's settings, read once; a bad ``RW_*`` value is a ConfigError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            name = "RW_" + "_".join(str(p) for p in e["loc"][:1]).upper()
            shown = "(hidden)" if name == "RW_TOKEN_KEY" else repr(str(e.get("input", ""))[:40])
            problems.append(f"{name}={shown}: {e['msg']}")
        raise ConfigError("; ".join(problems) + "; fix the environment variable") from None
