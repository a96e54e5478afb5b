"""Every setting of risk_warning in one model: a settings file, then ``RW_*`` environment variables, then a
command's flags, each over the one before.

The settings file is YAML (``RW_SETTINGS=/etc/risk-warning.yaml``, or ``risk-warning --settings FILE``), its keys
the field names below (``db_url: postgresql+psycopg://rw@db/rw``); an unknown key or a bad value is an
error at file:line:col. Entry points (the CLI, the scheduler, an embedding application) read
``Settings()``; library code never hides a default for a secret. ``RW_TOKEN_KEY`` has none: without it,
a record that carries a sensitive value rules must compare (a bid deposit account, an IP address, an ID
number on a 任免审批表) cannot be read, and the error says so (``token_key()``).
"""

from __future__ import annotations

import difflib
import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from risk_warning.errors import ConfigError

CONFIG_VARIABLE = "RW_SETTINGS"


class _ConfigFile(PydanticBaseSettingsSource):
    """The values of the settings file named by ``RW_SETTINGS`` (none when it is unset)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ gives them all at once

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get(CONFIG_VARIABLE)
        return dict(read_config_file(Path(path))[0]) if path else {}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RW_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # first wins: a value given in code, then the environment, then the settings file
        return init_settings, env_settings, _ConfigFile(settings_cls)

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
    rules: list[str] = Field(default_factory=lambda: ["core"])  # ruleset files, folders or shipped names
    data: str | None = None  # the export directory a scan reads when --data is not given
    identity: str | None = None  # who the CLI acts as in the audit trail; unset: the operating-system account
    role: Literal["viewer", "triager", "disposer", "admin"] = "admin"  # what the CLI's identity may do
    units: list[str] | None = None  # the org units (with those under them) it sees; unset: every unit
    log_format: Literal["text", "json"] = "text"  # the scheduler's and a scan's log lines (run/logs.py)
    timezone: str = "Asia/Shanghai"  # the organisation's own: "today" for the scheduler is a date there
    # dates an HR export writes for "no date" (an end date of 9999-12-31: still in post); read as empty
    open_dates: list[date] = Field(default_factory=lambda: [date(9999, 12, 31), date(9999, 1, 1), date(2999, 12, 31)])
    # the service (risk-warning serve; service/): where it listens, what it accepts, whom it trusts
    service_host: str = "127.0.0.1"  # loopback unless told: put it behind the HR system's gateway
    service_port: int = Field(8000, ge=0, le=65535)
    service_workers: int = Field(1, ge=1, le=64)  # server processes; each keeps its own rate-limit counts
    max_request_bytes: int = Field(8_000_000, ge=1_000)  # a larger body is refused (413) before it is read
    rate_limit: str = "100/second"  # per identity (an API key's name, a gateway user), in the limits library's syntax
    # the HR system's gateway may name the user in X-RW-Identity / X-RW-Role / X-RW-Units / X-RW-Kinds only when it
    # sends this secret in X-RW-Gateway-Secret and connects from one of gateway_networks; unset: no gateway trusted
    gateway_secret: SecretStr | None = None
    gateway_networks: list[str] = Field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])


def read_config_file(path: Path) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """A config file's values and where each key is (line, column); every problem a ConfigError at
    file:line:col."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror}); check {CONFIG_VARIABLE}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        values = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{at}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if values is None:
        return {}, {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path}:1:1: a settings file is a mapping of settings (db_url: ..., workers: 2)")
    where = {str(k.value): (k.start_mark.line + 1, k.start_mark.column + 1) for k, _ in node.value}
    known = set(Settings.model_fields)
    for key in values:
        if key not in known:
            line, col = where.get(str(key), (1, 1))
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (settings: {', '.join(sorted(known))})"
            raise ConfigError(f"{path}:{line}:{col}: unknown setting '{key}'{hint}")
    return values, where


@cache
def settings() -> Settings:
    """The process's settings, read once; a bad value is a ConfigError naming the ``RW_*`` variable, or the
    settings file's line and column, that gave it."""
    try:
        return Settings()
    except ValidationError as exc:
        path = os.environ.get(CONFIG_VARIABLE)
        where = read_config_file(Path(path))[1] if path else {}
        problems = []
        for e in exc.errors():
            key = "_".join(str(p) for p in e["loc"][:1])
            name = "RW_" + key.upper()
            shown = "(hidden)" if name == "RW_TOKEN_KEY" else repr(str(e.get("input", ""))[:40])
            if name not in os.environ and key in where:
                line, col = where[key]
                problems.append(f"{path}:{line}:{col}: {key}: {shown}: {e['msg']}")
            else:
                problems.append(f"{name}={shown}: {e['msg']}; fix the environment variable")
        raise ConfigError("; ".join(problems)) from None
