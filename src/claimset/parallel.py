"""Small helpers to use both cores: thread maps for GIL-releasing work, chunked Series,
ordered bounded pipelines (ingest's CSV chunks, segment's batches).

polars runs an element-wise string expression on a single-chunk Series in one thread; the
same Series split into several chunks is processed chunk-parallel. hashlib and most numpy
kernels release the GIL, so plain threads scale for them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any, TypeVar

import numpy as np
import polars as pl

T = TypeVar("T")
R = TypeVar("R")
FrameOrSeries = TypeVar("FrameOrSeries", pl.DataFrame, pl.Series)


def _settle_polars_numpy() -> None:
    """Make polars resolve its lazy numpy module now, on the importing thread.

    polars reaches numpy through a lazy proxy whose first use is not thread-safe: two
    threads making their first Series from numpy at once can fail with "'module' object
    does not support item assignment" (the proxy copies numpy's attributes over its own,
    and numpy has a ``_globals`` submodule). Once resolved, it never re-imports, so doing
    it here, before any worker thread exists, removes the race.
    """
    pl.Series(np.zeros(1, dtype=np.int64))


_settle_polars_numpy()


def workers() -> int:
    """Threads to use: the CPUs this process may run on (at least 1)."""
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def parallel_map(
    fn: Callable[[Any], T], items: Sequence[Any], n_workers: int | None = None, min_items: int = 64
) -> list[T]:
    """``[fn(x) for x in items]`` on threads, one contiguous slice each; order is kept.

    Fewer than ``min_items`` items run inline (thread start-up would cost more).
    """
    n = n_workers or workers()
    if n == 1 or len(items) < min_items:
        return [fn(x) for x in items]
    step = -(-len(items) // n)
    with ThreadPoolExecutor(max_workers=n) as pool:
        parts = pool.map(lambda k: [fn(x) for x in items[k : k + step]], range(0, len(items), step))
        return [y for part in parts for y in part]


def in_order(pool: ThreadPoolExecutor, n: int, tasks: Iterable[Callable[[], T]]) -> Iterator[T]:
    """Run ``tasks`` on ``pool``, at most ``n + 1`` at a time; yield results in task order.

    Tasks are taken from ``tasks`` on the calling thread only as results are consumed, so
    memory holds a few results, not all. When the caller stops early or a task raises, the
    tasks still queued are cancelled and running ones are waited for.
    """
    pending: deque[Future[T]] = deque()
    try:
        for task in tasks:
            pending.append(pool.submit(task))
            while len(pending) > n:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fu in pending:
            fu.cancel()
        futures_wait(pending)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], n_workers: int) -> Iterator[R]:
    """``fn`` over ``items`` on ``n_workers`` threads, yielding results in input order."""
    if n_workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        yield from in_order(pool, n_workers, (functools.partial(fn, x) for x in items))


def split_chunks(s: FrameOrSeries, per_worker: int = 4) -> FrameOrSeries:
    """``s`` as several contiguous chunks so that polars string kernels run chunk-parallel."""
    k = min(len(s), workers() * per_worker)
    if k <= 1:
        return s
    bounds = [len(s) * i // k for i in range(k + 1)]
    return pl.concat([s.slice(a, b - a) for a, b in itertools.pairwise(bounds)], rechunk=False)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return lib if lib is not None and hasattr(lib, "malloc_trim") else None


def release_freed_memory() -> None:
    """Give memory that was freed back to the OS (glibc ``malloc_trim``; no-op elsewhere).

    numpy working sets allocated on worker threads land in per-thread glibc arenas, which
    keep freed pages resident; without this they count towards the stage's peak RSS when
    the parquet writer allocates its own buffers. Outputs are unaffected.
    """
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)
