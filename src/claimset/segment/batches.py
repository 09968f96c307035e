"""Batches of articles for the segment stage, processed on every core in input order.

Segmentation is per article, so the sentences of a batch do not depend on which other
articles share it: any batch size, and any number of worker threads, give the same rows.
polars releases the GIL while it computes, so plain threads use both cores.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import polars as pl

T = TypeVar("T")
R = TypeVar("R")


def workers() -> int:
    """Threads to use: the CPUs this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], n_workers: int) -> Iterator[R]:
    """``fn`` over ``items`` on ``n_workers`` threads, yielding results in input order.

    At most ``n_workers + 1`` items are in flight, so memory holds a few batches, not all.
    ``items`` is consumed in the calling thread.
    """
    if n_workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) > n_workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def rebatch(frames: Iterable[pl.DataFrame], chunk_bytes: int) -> Iterator[pl.DataFrame]:
    """Re-cut ``frames`` (with a ``text`` column) into batches of about ``chunk_bytes`` of text.

    Rows stay in order and whole; a batch is cut after the row that reaches a multiple of
    ``chunk_bytes``, so a single longer row makes a batch of its own. Empty frames are skipped.
    """
    carry: pl.DataFrame | None = None
    for frame in frames:
        df = frame if carry is None else pl.concat([carry, frame], rechunk=False)
        carry = None
        if df.height == 0:
            continue
        # Batch number of each row: rows before the one that crosses a multiple of
        # chunk_bytes share it; the last (possibly partial) batch is carried over.
        size = df["text"].str.len_bytes().fill_null(0).cast(pl.Int64)
        batch = ((size.cum_sum() - size) // chunk_bytes).rle()
        lo = 0
        for n in batch.struct.field("len").to_list():
            if lo + n == df.height:
                carry = df.slice(lo, n)
            else:
                yield df.slice(lo, n)
            lo += n
    if carry is not None:
        yield carry
