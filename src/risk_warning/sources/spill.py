"""A scratch directory where a large load keeps its typed rows, so memory holds a chunk and not the export.

A province's export (a million cadres, 31 million records) does not fit in memory as typed columns. A
spilled load writes each chunk of accepted rows to an Arrow IPC file as it is accepted (``LoadResult.take``);
a scan then reads the rows back a subject bucket at a time (sources/buckets.py). Arrow IPC, uncompressed,
because a file is mapped, not parsed, when it is read back. The directory is removed when the load is
closed, or when the last reference to it goes. A process killed outright (SIGKILL, a power cut) runs
no finaliser: its directory is named after the host and the process, and the next spilled load on the
host removes the directories of processes that are gone, so a night killed mid-scan does not leave an
export's worth of files behind for good.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import weakref
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from risk_warning.settings import settings

MAX_BUCKETS = 256
WRITES_AHEAD = 2  # frames waiting to be written before ``write`` waits for the oldest
_PREFIX = "rw-spill-"
_HOST = "".join(c if c.isalnum() else "_" for c in socket.gethostname())  # no '-': the name is split on it


class SpillDir:
    """A directory of numbered IPC files under ``root`` (the system's temporary directory by default)."""

    def __init__(self, root: str | Path | None = None) -> None:
        remove_abandoned(Path(root or tempfile.gettempdir()))
        self.path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{_HOST}-{os.getpid()}-", dir=root))
        self._next = 0
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="rw-spill")
        self._writing: deque[Future[None]] = deque()
        self._finalizer = weakref.finalize(self, _remove, self.path, os.getpid(), self._writer)

    def new_file(self, folder: str = "") -> Path:
        """A fresh path for one file, in a sub-folder when given."""
        self._next += 1
        where = self.path / folder if folder else self.path
        where.mkdir(exist_ok=True)
        return where / f"{self._next:07d}.arrow"

    def write(self, frame: pl.DataFrame, folder: str = "") -> tuple[Path, Future[None]]:
        """Write a frame to a fresh file, in the background while the caller goes on: (the path, done once
        the file is whole). At most ``WRITES_AHEAD`` frames wait to be written (memory holds them)."""
        path = self.new_file(folder)
        done = self._writer.submit(write_ipc, frame, path)
        self._writing.append(done)
        while len(self._writing) > WRITES_AHEAD:
            self._writing.popleft().result()
        return path, done

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive


def write_ipc(frame: pl.DataFrame, path: Path) -> None:
    """Write a frame to an Arrow IPC file, replacing any file there (which a reader may still map)."""
    fresh = path.with_suffix(".new")
    frame.write_ipc(fresh, compression="uncompressed")
    os.replace(fresh, path)


def _remove(path: Path, owner: int, writer: ThreadPoolExecutor) -> None:
    if os.getpid() == owner:  # a forked worker that lets go of its copy leaves the directory to its parent
        writer.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(path, ignore_errors=True)


def remove_abandoned(root: Path) -> list[Path]:
    """Remove the spill directories under ``root`` left by processes of this host that no longer run."""
    removed = []
    for folder in root.glob(f"{_PREFIX}{_HOST}-*-*"):
        pid = folder.name[len(f"{_PREFIX}{_HOST}-") :].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def spill_wanted(input_bytes: int) -> bool:
    """Whether an export of this size is loaded spilled: when it would take more than one bucket."""
    return buckets_for(input_bytes) > 1


def buckets_for(input_bytes: int) -> int:
    """Subject buckets for an export of this size: one per ``RW_SCAN_BUCKET_MB`` of input files."""
    per_bucket = settings().scan_bucket_mb * 1024 * 1024
    return max(1, min(MAX_BUCKETS, -(-input_bytes // per_bucket)))
