"""Chunks of a file checked side by side come back in the file's order, and a failure surfaces at its chunk."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from risk_warning.sources.pipeline import in_order


def _slow_for_early(piece: int) -> tuple[int, str]:
    time.sleep(0.01 * (5 - piece % 5))  # the early pieces of each five finish last
    return piece, threading.current_thread().name


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_work_of_every_piece_comes_back_in_the_order_of_the_pieces(threads: int) -> None:
    done = list(in_order(_slow_for_early, range(20), threads=threads))
    assert [piece for piece, _ in done] == list(range(20))
    workers = {name for _, name in done}
    assert all(name.startswith("rw-read") for name in workers) if threads > 1 else workers == {"MainThread"}


def test_a_piece_that_fails_raises_when_it_is_reached_and_the_pieces_stop_being_made() -> None:
    made: list[int] = []

    def pieces() -> Iterator[int]:
        for piece in range(100):
            made.append(piece)
            yield piece

    def work(piece: int) -> int:
        if piece == 3:
            raise ValueError("bad chunk 3")
        return piece

    got: list[int] = []
    with pytest.raises(ValueError, match="bad chunk 3"):
        for value in in_order(work, pieces(), threads=2):
            got.append(value)
    assert got == [0, 1, 2] and len(made) < 10
