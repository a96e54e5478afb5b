"""Sources of facts: a directory of CSV/JSON files, and memory."""

from risk_warning.sources.base import LoadResult, QuarantinedRecord, Source
from risk_warning.sources.directory import DirectorySource
from risk_warning.sources.memory import MemorySource

__all__ = ["DirectorySource", "LoadResult", "MemorySource", "QuarantinedRecord", "Source"]
