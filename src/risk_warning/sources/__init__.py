"""Sources of facts: a directory of export files (CSV, XLSX, JSON, .lrmx) read through a site mapping, and memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from risk_warning.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from risk_warning.sources.base import FileReport, LoadResult, QuarantinedRecord, Source
    from risk_warning.sources.directory import DirectorySource
    from risk_warning.sources.mapping import SiteMapping, load_mapping
    from risk_warning.sources.memory import MemorySource

__all__ = [
    "DirectorySource",
    "FileReport",
    "LoadResult",
    "MemorySource",
    "QuarantinedRecord",
    "SiteMapping",
    "Source",
    "load_mapping",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "FileReport": "risk_warning.sources.base",
        "LoadResult": "risk_warning.sources.base",
        "QuarantinedRecord": "risk_warning.sources.base",
        "Source": "risk_warning.sources.base",
        "DirectorySource": "risk_warning.sources.directory",
        "SiteMapping": "risk_warning.sources.mapping",
        "load_mapping": "risk_warning.sources.mapping",
        "MemorySource": "risk_warning.sources.memory",
    },
)
