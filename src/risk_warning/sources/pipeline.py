"""Work on the pieces of a stream side by side, results in the stream's order.

Reading a large file is a loop of column work on one chunk after another (columns.py). Polars releases the
GIL for that work, so a second thread checks one chunk while the next is read and split: on a 2-core
machine the read takes about half the time it takes in one thread. At most ``AHEAD`` chunks are in flight,
so memory holds that many chunks, not the file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from risk_warning.settings import settings

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 2  # pieces submitted ahead of the one being taken


def in_order(
    work: Callable[[T], R], pieces: Iterable[T], threads: int | None = None, ahead: int = AHEAD
) -> Iterator[R]:
    """``work`` of each piece, in order, done by ``threads`` threads (``RW_READ_THREADS``, default 2) while the
    pieces are made, at most ``ahead`` pieces beyond the one being taken; one thread: done in turn. An error
    of any piece is raised when that piece is reached."""
    threads = settings().read_threads if threads is None else threads
    if threads <= 1:
        yield from map(work, pieces)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="rw-read") as pool:
        waiting: deque[Future[R]] = deque()
        try:
            for piece in pieces:
                waiting.append(pool.submit(work, piece))
                if len(waiting) > ahead:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            for future in waiting:
                future.cancel()
