"""Log lines of scans and scheduled jobs, as text or as JSON (``RW_LOG_FORMAT=json``), each with the id of the
scan it belongs to: what an operator greps, or a log collector (ELK, Loki) indexes.

    {"ts": "2026-07-01T02:30:05.123+00:00", "level": "INFO", "logger": "risk_warning.run.scan",
     "scan_id": 42, "message": "scan #42 read 1,204,311 records, 12 quarantined"}

The scan id is carried by a context variable that ``run.scan`` sets while a scan runs, so every line logged
meanwhile (progress, the store, the scheduler's summary) has it without being handed it. Messages are
scrubbed of ID and phone numbers, as everywhere else.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from risk_warning.privacy import scrub

_scan: ContextVar[int | None] = ContextVar("risk_warning_scan_id", default=None)
TEXT = "%(asctime)s %(name)s %(levelname)s %(scan)s%(message)s"


@contextmanager
def scan_context(scan_id: int) -> Iterator[None]:
    """Lines logged inside are about scan ``scan_id``."""
    token = _scan.set(scan_id)
    try:
        yield
    finally:
        _scan.reset(token)


def current_scan() -> int | None:
    return _scan.get()


class _WithScan(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        scan_id = getattr(record, "scan_id", None) or current_scan()
        record.scan_id = scan_id
        record.scan = f"[scan #{scan_id}] " if scan_id is not None else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, scan_id, message (and exc when any)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "scan_id": getattr(record, "scan_id", None),
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure(fmt: str = "text", level: int = logging.INFO) -> None:
    """Log to stderr in ``fmt`` (text or json): the scheduler's log, or a scan's with RW_LOG_FORMAT=json."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_WithScan())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "risk_warning", False)]:
        root.removeHandler(old)
    handler.risk_warning = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
