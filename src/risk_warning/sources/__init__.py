"""Sources of facts: a directory of export files (CSV, XLSX, JSON, .lrmx) read through a site mapping, and memory."""

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
