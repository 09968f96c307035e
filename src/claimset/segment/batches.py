"""Batches of articles for the segment stage (run on every core, in input order, by
``claimset.parallel.ordered_map``).

Segmentation is per article, so the sentences of a batch do not depend on which other
articles share it: any batch size, and any number of worker threads, give the same rows.
polars releases the GIL while it computes, so plain threads use both cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import polars as pl


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
