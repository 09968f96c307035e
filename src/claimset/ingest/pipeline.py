"""The ingest stage: raw files -> articles, quarantine, duplicates, report.

Reconciliation invariant (asserted before anything is written):
``records_in == articles + duplicates + quarantined``.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.ma
import polars as pl
import pyarrow as pa

from claimset import io, parallel
from claimset.errors import ClaimsetError, InputError
from claimset.ingest import compressed, fast_csv, read_table
from claimset.ingest import read_jsonl as jsonl
from claimset.ingest.config import IngestConfig
from claimset.ingest.digests import text_and_keyed_sha256
from claimset.ingest.normalize import (
    nfc_sensitive_class,
    normalize_series,
    normalize_series_with_nul,
)
from claimset.ingest.read_csv import read_csv, read_csv_slow
from claimset.ingest.read_html import read_html
from claimset.ingest.read_txt import read_txt
from claimset.ingest.read_warc import read_warc
from claimset.ingest.records import Quarantined, RawRecord, Rejector
from claimset.ingest.sources import InputFile, discover
from claimset.ingest.spill import TextStore
from claimset.neardup import NearDuplicateConfig, band_keys, clusters_from_keys, optimal_bands
from claimset.parallel import release_freed_memory
from claimset.stage import StageReport, track

Reader = Callable[
    [InputFile, IngestConfig], tuple[list[RawRecord] | pl.DataFrame, list[Quarantined]]
]
# Readers of whole files (JSONL and well-formed CSV are read chunk by chunk instead).
READERS: dict[str, Reader] = {
    "txt": read_txt,
    "csv": read_csv,
    "html": read_html,
}

ARTICLE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String,
        "source": pl.String,
        "source_id": pl.String,
        "url": pl.String,
        "title": pl.String,
        "standfirst": pl.String,
        "body": pl.String,
        "published_at": pl.String,
        "language": pl.String,
        "author": pl.String,
        "synthetic": pl.Boolean,
        "text": pl.String,
        "title_end": pl.Int64,
        "text_sha256": pl.String,
        "raw_sha256": pl.String,
        "origin_file": pl.String,
        "origin_line": pl.Int64,
        "origin_format": pl.String,
        "cluster_id": pl.String,
    }
)
_FIELD_COLUMNS = (
    "source_id",
    "source",
    "url",
    "title",
    "standfirst",
    "body",
    "published_at",
    "language",
    "author",
)
# Raw records as readers deliver them (before normalisation).
RAW_SCHEMA = pl.Schema(
    {c: pl.String for c in _FIELD_COLUMNS}
    | {
        "synthetic": pl.Boolean,
        "origin_file": pl.String,
        "origin_line": pl.Int64,
        "origin_format": pl.String,
        "raw_sha256": pl.String,
    }
)


# Rows per work item for readers that deliver whole files (txt, jsonl, html, small CSV).
_ROWS_PER_PART = 2048


def read_all(
    files: Sequence[InputFile],
    config: IngestConfig,
    nd: NearDuplicateConfig,
    store: TextStore,
) -> tuple[pl.DataFrame, np.ndarray, list[Quarantined]]:
    """Read every file and prepare its records; unsupported files are quarantined whole.

    Returns one frame of prepared records (:func:`prepare`) in input order (``seq``),
    their near-duplicate band keys (one row per record) and the rejected records. Large
    CSV files are read chunk by chunk; chunks are parsed and prepared on threads, and at
    most a few chunks of raw bytes are in memory at a time; so are JSONL files. ``text``
    and ``body`` go to ``store`` as each part is done (columns ``_text_pos``/``_text_len``,
    ``_body_*``).
    """
    parts: list[tuple[pl.DataFrame, np.ndarray]] = []
    rejected: list[Quarantined] = []
    n = parallel.workers()
    with ThreadPoolExecutor(max_workers=n) as pool:
        # Per-process tables every part needs, built on a core that is idle while the
        # first chunk is read.
        warm = pool.submit(_warm_up, nd)
        for f in track(files, "reading"):
            if f.fmt is None or f.not_input is not None:
                q = Rejector(f.rel, f.fmt or "unknown", config.excerpt_chars)
                why = f.not_input or f"unsupported file type {''.join(f.path.suffixes[-2:])!r}"
                rejected.append(q("unsupported_format", why, b"", 1))
                continue
            try:
                if f.fmt in _STREAMED:
                    got, rej = _STREAMED[f.fmt](f, config, nd, pool, n, store)
                    parts += got
                    rejected += rej
                    continue
                streamed = (
                    _read_csv_chunked(f, config, nd, pool, n, store) if f.fmt == "csv" else None
                )
                if streamed is not None:
                    parts += streamed
                    continue
                reader = read_csv_slow if f.fmt == "csv" else READERS[f.fmt]
                recs, rej = reader(f, config)
            except OSError as exc:
                raise InputError(f.rel, f"cannot read: {exc.strerror or exc}") from exc
            frame = recs if isinstance(recs, pl.DataFrame) else to_frame(recs)
            rejected += rej
            slices = [
                frame.slice(lo, _ROWS_PER_PART) for lo in range(0, frame.height, _ROWS_PER_PART)
            ]
            tasks = (
                functools.partial(_spilled, store, functools.partial(prepare, s, config, nd))
                for s in slices
            )
            parts += parallel.in_order(pool, n, tasks)
        warm.result()
    if not parts:
        parts.append(_spill(store, prepare(RAW_SCHEMA.to_frame(), config, nd)))
    df = pl.concat([p[0] for p in parts])
    keys = np.concatenate([p[1] for p in parts])
    return df.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq")), keys, rejected


def _warm_up(nd: NearDuplicateConfig) -> None:
    """Build the per-process tables of :func:`prepare`: the LSH band layout, the NFC class."""
    optimal_bands(nd.threshold, nd.num_perm)
    nfc_sensitive_class()


def _read_csv_chunked(
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    pool: ThreadPoolExecutor,
    n: int,
    store: TextStore,
) -> list[tuple[pl.DataFrame, np.ndarray]] | None:
    """Prepared chunks of a well-formed CSV (fast path), or None for the stdlib reader."""
    mapping = f.fields if f.fields is not None else dict(config.csv_fields)
    plan = fast_csv.plan(f, mapping)
    if plan is None:
        return None
    damaged: list[compressed.DamagedTail] = []
    with compressed.open_input(f.path, f.codec) as fh:
        pieces = compressed.cut_at_damage(
            fast_csv.chunks(fast_csv.read_blocks(fh)), fh, fast_csv.last_record_end, damaged
        )
        first = next(pieces, None)
        if first is None or not first[0].strip():
            return None  # empty file: the stdlib path reports it
        try:
            # Only the header is read here: every chunk, the first too, is parsed on the pool.
            header = fast_csv.header_of(first[0])
            with_header = itertools.chain([(first, None)], ((p, header) for p in pieces))
            tasks = (
                functools.partial(
                    _spilled,
                    store,
                    functools.partial(_parse_and_prepare, plan, piece, before, known, config, nd),
                )
                for (piece, before), known in with_header
            )
            done = list(parallel.in_order(pool, n, tasks))
            if damaged:  # the slow path reports the damage of a file it reads itself
                return None
            return done
        except fast_csv.SlowPath:
            return None  # texts of chunks already stored stay unreferenced in the store


def _read_jsonl_chunked(
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    pool: ThreadPoolExecutor,
    n: int,
    store: TextStore,
) -> tuple[list[tuple[pl.DataFrame, np.ndarray]], list[Quarantined]]:
    """Prepared chunks of a JSONL file (lines parsed on the pool, a few chunks in memory at
    a time) and its rejected lines."""
    head: bytes | None = None
    content = False
    damaged: list[compressed.DamagedTail] = []

    def tasks() -> Iterator[
        Callable[[], tuple[tuple[pl.DataFrame, np.ndarray], list[Quarantined]]]
    ]:
        nonlocal head, content
        with compressed.open_input(f.path, f.codec) as fh:
            pieces = jsonl.line_chunks(fh)
            complete = lambda chunk: chunk.rfind(b"\n") + 1  # noqa: E731
            for chunk, before in compressed.cut_at_damage(pieces, fh, complete, damaged):
                if head is None:
                    head = chunk[:4096]
                content = content or not chunk.isspace()
                yield functools.partial(_jsonl_part, store, f, config, nd, chunk, before)

    parts, rejected = [], []
    for part, rej in parallel.in_order(pool, n, tasks()):
        parts.append(part)
        rejected += rej
    rejected += [compressed.unreadable(f.rel, "jsonl", config.excerpt_chars, d) for d in damaged]
    if not content and not damaged:
        return [], [jsonl.empty_file(f, config, head or b"")]
    return parts, rejected


def _read_table_chunked(
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    pool: ThreadPoolExecutor,
    n: int,
    store: TextStore,
) -> tuple[list[tuple[pl.DataFrame, np.ndarray]], list[Quarantined]]:
    """Prepared record batches of a Parquet file or Arrow shard (read one batch at a time,
    rows mapped and prepared on the pool) and its rejected rows. What pyarrow cannot read
    (corrupt file or batch) is quarantined from the first row not read on."""
    mapping = read_table.mapping_of(f, config)
    failed: list[Quarantined] = []
    rows = 0

    def tasks() -> Iterator[
        Callable[[], tuple[tuple[pl.DataFrame, np.ndarray], list[Quarantined]]]
    ]:
        nonlocal rows
        it = read_table.batches(f)
        checked = False
        while True:
            try:
                batch = next(it, None)
            except (OSError, ValueError, pa.ArrowException) as exc:
                failed.append(read_table.unreadable(f, config, rows, exc))
                return
            if batch is None:
                return
            if not checked:
                read_table.check_schema(f, batch.schema, mapping)
                checked = True
            yield functools.partial(_table_part, store, f, config, nd, batch, rows)
            rows += batch.num_rows

    parts, rejected = [], []
    for part, rej in parallel.in_order(pool, n, tasks()):
        parts.append(part)
        rejected += rej
    return parts, rejected + failed


def _table_part(
    store: TextStore,
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    batch: Any,
    before: int,
) -> tuple[tuple[pl.DataFrame, np.ndarray], list[Quarantined]]:
    records, rejected = read_table.parse_batch(f, config, batch, before)
    return _spill(store, prepare(to_frame(records), config, nd)), rejected


def _read_warc_parts(
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    pool: ThreadPoolExecutor,
    n: int,
    store: TextStore,
) -> tuple[list[tuple[pl.DataFrame, np.ndarray]], list[Quarantined]]:
    """Prepared parts of a WARC file (pages extracted on this thread, a part at a time,
    each part prepared on the pool) and its quarantined records."""
    rejected: list[Quarantined] = []

    def tasks() -> Iterator[Callable[[], tuple[pl.DataFrame, np.ndarray]]]:
        for records, rej in read_warc(f, config):
            rejected.extend(rej)
            if records:
                prepared = functools.partial(prepare, to_frame(records), config, nd)
                yield functools.partial(_spilled, store, prepared)

    parts = list(parallel.in_order(pool, n, tasks()))
    return parts, rejected


def _jsonl_part(
    store: TextStore,
    f: InputFile,
    config: IngestConfig,
    nd: NearDuplicateConfig,
    chunk: bytes,
    before: int,
) -> tuple[tuple[pl.DataFrame, np.ndarray], list[Quarantined]]:
    records, rejected = jsonl.parse_lines(f, config, chunk, before)
    return _spill(store, prepare(to_frame(records), config, nd)), rejected


def _parse_and_prepare(
    plan: fast_csv.Plan,
    piece: bytes,
    before: int,
    header: bytes | None,
    config: IngestConfig,
    nd: NearDuplicateConfig,
) -> Prepared:
    frame, _ = fast_csv.parse_chunk(plan, piece, before, header)
    return prepare(frame, config, nd)


Streamed = Callable[
    [InputFile, IngestConfig, NearDuplicateConfig, ThreadPoolExecutor, int, TextStore],
    tuple[list[tuple[pl.DataFrame, np.ndarray]], list[Quarantined]],
]
# Formats read piece by piece (a few pieces in memory), prepared on the pool.
_STREAMED: dict[str, Streamed] = {
    "jsonl": _read_jsonl_chunked,
    "parquet": _read_table_chunked,
    "arrow": _read_table_chunked,
    "warc": _read_warc_parts,
}


class Prepared(NamedTuple):
    """Records of one part of the input, prepared (:func:`prepare`)."""

    df: pl.DataFrame  # without ``text`` and ``body``: their bytes follow
    keys: np.ndarray  # near-duplicate band keys, a row per record
    text: pl.Series  # each row's text, for the text store
    body: pl.Series | None  # each row's body; None: the same as text


def prepare(raw: pl.DataFrame, config: IngestConfig, nd: NearDuplicateConfig) -> Prepared:
    """Raw records -> normalised fields, ``text``, ``_reason`` (quarantine reason or null),
    ``text_sha256``, ``article_id``; and the near-duplicate band keys of every row.

    Every value depends on its own row only, so records can be prepared in any grouping.
    """
    raw = raw.select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)
    df, prefixed = normalize_frame(
        raw.with_columns(pl.col("language").fill_null(config.default_language))
    )
    del raw
    # Record-level checks, first failing reason wins (polars computes the length once).
    chars = pl.col("text").str.len_chars().cast(pl.Int64)
    reason = (
        pl.when(pl.col("_nul"))
        .then(pl.lit("nul_byte"))
        .when(pl.col("body").str.len_bytes() == 0)
        .then(pl.lit("empty_body"))
        .when(chars > config.max_chars)
        .then(pl.lit("too_large"))
    )
    text = df["text"]
    body = df["body"] if prefixed else None
    text_sha, article_ids = _identities(df["source_id"], text)
    keys = band_keys(text, nd)
    df = df.with_columns(
        text_sha,
        article_ids,
        chars.alias("_chars"),
        reason.alias("_reason"),
        pl.when(reason.is_not_null())
        .then(pl.col("text").str.head(config.excerpt_chars))
        .alias("_excerpt"),
    )
    return Prepared(df.drop("_nul", "text", "body"), keys, text, body)


def to_frame(records: Sequence[RawRecord]) -> pl.DataFrame:
    """Raw records -> a DataFrame with the RAW_SCHEMA columns."""
    cols: dict[str, list[Any]] = {c: [] for c in _FIELD_COLUMNS}
    for r in records:
        for c in _FIELD_COLUMNS:
            cols[c].append(r.fields.get(c))
    return pl.DataFrame(
        {
            **cols,
            "synthetic": [bool(r.fields.get("synthetic", False)) for r in records],
            "origin_file": [r.origin_file for r in records],
            "origin_line": [r.origin_line for r in records],
            "origin_format": [r.origin_format for r in records],
            "raw_sha256": [r.raw_sha256 for r in records],
        },
        schema=RAW_SCHEMA,
    )


# A row whose text has a title or standfirst before the body.
_PREFIXED = (pl.col("title").str.len_bytes() > 0) | pl.col("standfirst").is_not_null()


def normalize_frame(df: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """Normalise title/standfirst/body and assemble ``text`` and ``title_end``; also tell
    whether any row has a title or standfirst (if not, ``text`` is ``body`` in every row)."""
    empty_to_null = lambda e: pl.when(e.str.len_bytes() > 0).then(e)  # noqa: E731
    # The NUL check (quarantine) comes from the normalising pass itself.
    title, nul_title = normalize_series_with_nul(df["title"].fill_null(""), single_paragraph=True)
    body, nul_body = normalize_series_with_nul(df["body"].fill_null(""))
    standfirst, nul_standfirst = normalize_series_with_nul(df["standfirst"], single_paragraph=True)
    out = df.with_columns(
        pl.Series("_nul", nul_title | nul_body | nul_standfirst),
        title.alias("title"),
        body.alias("body"),
        standfirst.alias("standfirst"),
        *[
            normalize_series(df[c], single_paragraph=True).alias(c)
            for c in ("source_id", "source", "url", "author", "language")
        ],
    ).with_columns(
        empty_to_null(pl.col(c))
        for c in ("standfirst", "source_id", "source", "url", "author", "language")
    )
    title_end = pl.col("title").str.len_chars().cast(pl.Int64).alias("title_end")
    if not out.select(_PREFIXED.any()).item():
        # No title or standfirst anywhere (e.g. FNC-1 bodies): text is body, and the two
        # columns share one string buffer instead of holding the corpus twice.
        return out.with_columns(pl.col("body").alias("text"), title_end), False
    text = pl.concat_str(
        [empty_to_null(pl.col("title")), pl.col("standfirst"), empty_to_null(pl.col("body"))],
        separator="\n\n",
        ignore_nulls=True,
    )
    return out.with_columns(text.fill_null("").alias("text"), title_end), True


def _identities(source_ids: pl.Series, texts: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``text_sha256`` and ``article_id`` per row.

    ``article_id = "a-" + sha256(source_id + "\\0" + text)[:16]`` (empty source_id when none).
    """
    plain, keyed = text_and_keyed_sha256(source_ids, texts)
    article_ids = "a-" + pl.Series(keyed, dtype=pl.String).str.head(16)
    return pl.Series("text_sha256", plain, dtype=pl.String), article_ids.alias("article_id")


# Columns holding article text: text and body live in a TextStore (on disk) from reading
# to writing; what stays in memory per row is small and is sorted and joined freely.
_TEXT_COLUMNS = ("title", "standfirst", "body", "text")
_TEXT_REFS = ("title", "standfirst", "_text_pos", "_text_len", "_body_pos", "_body_len", "_chars")
_META_COLUMNS = tuple(c for c in ARTICLE_SCHEMA if c not in (*_TEXT_COLUMNS, "cluster_id"))
# Row groups of the articles file hold about this many bytes of text and body each (at
# most ROW_GROUP_ROWS rows): the row count is derived from the data alone, so the file's
# bytes never depend on cores or chunking.
ROW_GROUP_TEXT_BYTES = 2 << 20
ROW_GROUP_ROWS = 16384
# zstd level 1: about 3x less CPU than polars' default level for ~13% larger text columns.
# No statistics (polars sets them for the whole file): min/max of whole article texts help
# no reader and cost a pass over them; the other columns are read whole, never filtered.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "statistics": False,
}


def run_ingest(
    inputs: Sequence[str | Path],
    articles_path: str | Path,
    quarantine_path: str | Path,
    duplicates_path: str | Path,
    report_path: str | Path,
    config: IngestConfig,
    near_duplicates: NearDuplicateConfig,
) -> StageReport:
    """Ingest ``inputs`` (files or directories) and write all outputs atomically.

    ``near_duplicates`` (the ``near_duplicates:`` params section) gives the clusters."""
    report = StageReport("ingest")
    files = discover([Path(p) for p in inputs], config)
    out_dir = Path(articles_path).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    with TextStore(out_dir) as store:
        df, keys, rejected = read_all(files, config, near_duplicates, store)
        records_in = df.height + len(rejected)

        limit = config.max_chars
        messages = {
            "nul_byte": "text contains NUL (U+0000); binary data or UTF-16 declared as UTF-8?",
            "empty_body": "body is empty after normalisation",
            "too_large": f"normalised text is longer than ingest.max_chars={limit}",
        }
        bad_rows = df["_reason"].is_not_null()
        if bad_rows.any():
            bad = df.filter(bad_rows).select(
                "origin_file", "origin_line", "origin_format", "_reason", "_excerpt"
            )
            for file, line, fmt, why, text in bad.iter_rows():
                q = Rejector(file, fmt, config.excerpt_chars)
                rejected.append(q(why, messages[why], text or "", line))
        # Per input row (rejected ones too): title, standfirst, where text and body are.
        texts = df.select(_TEXT_REFS)
        meta = df.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            *(c for c in _META_COLUMNS if c not in ("text_sha256", "article_id")),
            "seq",
            "text_sha256",
            "article_id",
        ).filter(~bad_rows)
        del df
        release_freed_memory()  # the readers' buffers

        def text_of(rows: np.ndarray | pl.Series) -> pl.Series:
            refs = texts.select("_text_pos", "_text_len")[rows]
            return store.read(refs["_text_pos"].to_numpy(), refs["_text_len"].to_numpy())

        meta, conflicts = _source_id_conflicts(meta, text_of, config)
        rejected += conflicts
        meta, duplicates = _exact_duplicates(meta)

        kept = meta["_row"].to_numpy()
        clusters = clusters_from_keys(
            meta["article_id"].to_list(),
            keys[kept],
            lambda idx: text_of(kept[idx]),
            near_duplicates,
        )
        articles = (
            meta.with_columns(pl.Series("cluster_id", clusters, dtype=pl.String))
            .sort("article_id")
            .rechunk()
        )
        del keys, meta, clusters
        release_freed_memory()  # the signature working set, before the write's own peak
        if articles["article_id"].n_unique() != articles.height:  # 64-bit collision: never silent
            raise ClaimsetError("article_id collision between different texts; widen the id")

        n_art, n_dup, n_q = articles.height, len(duplicates), len(rejected)
        if records_in != n_art + n_dup + n_q:
            raise ClaimsetError(
                f"ingest lost records: in={records_in} articles={n_art} duplicates={n_dup} quarantined={n_q}"
            )
        q_rows = sorted(
            (q.to_row() for q in rejected),
            key=lambda r: (r["origin_file"], r["origin_line"], r["reason"]),
        )
        text_chars = int(texts["_chars"].gather(articles["_row"]).sum() or 0)
        write_articles(articles_path, articles, texts, store)
    io.write_jsonl(quarantine_path, q_rows)
    io.write_jsonl(duplicates_path, duplicates)
    io.write_json(
        report_path, _report_json(files, records_in, articles, duplicates, q_rows, text_chars)
    )
    report.records_in, report.records_out, report.quarantined = records_in, n_art, n_q
    report.extra["duplicates"] = n_dup
    report.extra["near_dup_clusters"] = int(
        (articles["cluster_id"].value_counts()["count"] > 1).sum()
    )
    return report


def _spilled(store: TextStore, task: Callable[[], Prepared]) -> tuple[pl.DataFrame, np.ndarray]:
    """Run ``task`` and spill its part (on the worker thread that prepared it)."""
    return _spill(store, task())


def _spill(store: TextStore, part: Prepared) -> tuple[pl.DataFrame, np.ndarray]:
    """Put a prepared part's text and body in ``store``; keep their positions."""
    df, keys, text, body = part
    tpos, tlen = store.append(text)
    # text equals body in every row (normalize_frame) when body is None: stored once
    bpos, blen = store.append(body) if body is not None else (tpos, tlen)
    refs = [
        pl.Series(name, values)
        for name, values in zip(
            ("_text_pos", "_text_len", "_body_pos", "_body_len"),
            (tpos, tlen, bpos, blen),
            strict=True,
        )
    ]
    return df.hstack(refs), keys


def rows_per_group(text_bytes: int, rows: int) -> int:
    """Rows per row group of the articles file: about ``ROW_GROUP_TEXT_BYTES`` of text and
    body (on average over the table), at most ``ROW_GROUP_ROWS``. Depends on the data only."""
    if rows == 0:
        return 1
    per_row = max(1, text_bytes // rows)
    return int(min(ROW_GROUP_ROWS, max(1, ROW_GROUP_TEXT_BYTES // per_row)))


def write_articles(
    path: str | Path, articles: pl.DataFrame, texts: pl.DataFrame, store: TextStore
) -> None:
    """Write the articles parquet atomically, streamed in row groups.

    Rows are those of ``articles``; title and standfirst come from row ``_row`` of
    ``texts``, text and body from ``store`` at the positions ``texts`` gives. polars' writer
    asks for a row group's rows as it needs them and compresses on every core; memory holds
    a few row groups, never the corpus. The file's bytes do not depend on the core count.
    """
    from polars.io.plugins import register_io_source

    refs = texts[articles["_row"]]
    same = (refs["_body_pos"] == refs["_text_pos"]) & (refs["_body_len"] == refs["_text_len"])
    text_bytes = int((refs["_text_len"] + refs["_body_len"] * (~same).cast(pl.Int64)).sum() or 0)
    step = rows_per_group(text_bytes, articles.height)

    def group(lo: int) -> pl.DataFrame:
        part = articles.slice(lo, step)
        r = refs.slice(lo, step)
        text = store.read(r["_text_pos"].to_numpy(), r["_text_len"].to_numpy())
        if same.slice(lo, step).all():
            body = text
        else:
            body = store.read(r["_body_pos"].to_numpy(), r["_body_len"].to_numpy())
        return (
            part.with_columns(r["title"], r["standfirst"], body.alias("body"), text.alias("text"))
            .select(list(ARTICLE_SCHEMA))
            .cast(ARTICLE_SCHEMA)
        )

    def frames(*_: object) -> Iterator[pl.DataFrame]:
        # The next group is read on a thread (the store's read releases the GIL) while
        # polars compresses the ones it has.
        starts = range(0, max(articles.height, 1), step)
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield from parallel.in_order(pool, 1, (functools.partial(group, lo) for lo in starts))

    with io.atomic_path(path, suffix=".parquet") as tmp:
        register_io_source(frames, schema=ARTICLE_SCHEMA).sink_parquet(
            tmp, row_group_size=step, **PARQUET_OPTIONS
        )


def _source_id_conflicts(
    df: pl.DataFrame, text_of: Callable[[pl.Series], pl.Series], config: IngestConfig
) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Same (source, source_id) with different text: an error, or quarantine the later ones.

    ``df`` holds no text; ``text_of(rows)`` gives the texts of its ``_row`` values.
    """
    keyed = df.filter(pl.col("source_id").is_not_null()).sort("seq")
    first = keyed.unique(["source", "source_id"], keep="first", maintain_order=True).select(
        "source",
        "source_id",
        pl.col("text_sha256").alias("_first_sha"),
        pl.col("origin_file").alias("_ff"),
        pl.col("origin_line").alias("_fl"),
    )
    clash = keyed.join(first, on=["source", "source_id"]).filter(
        pl.col("text_sha256") != pl.col("_first_sha")
    )
    if clash.height == 0:
        return df, []
    if config.on_source_id_conflict == "error":
        r = clash.row(0, named=True)
        raise InputError(
            f"{r['origin_file']}:{r['origin_line']}",
            f"source id {r['source_id']!r} (source {r['source']!r}) was first seen at "
            f"{r['_ff']}:{r['_fl']} with different text",
            field="source_id",
        )
    out = []
    clash = clash.with_columns(text_of(clash["_row"]).str.head(config.excerpt_chars).alias("text"))
    for r in clash.iter_rows(named=True):
        q = Rejector(r["origin_file"], r["origin_format"], config.excerpt_chars)
        msg = (
            f"source id {r['source_id']!r} first seen at {r['_ff']}:{r['_fl']} with different text"
        )
        out.append(q("duplicate_source_id", msg, r["text"], r["origin_line"], "source_id"))
    return df.filter(~pl.col("seq").is_in(clash["seq"].implode())), out


def _exact_duplicates(df: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Keep the first record (input order) of each normalised text; describe the rest."""
    df = df.sort("seq")
    kept = df.unique("text_sha256", keep="first", maintain_order=True)
    if kept.height == df.height:
        return kept, []
    dups = df.filter(~pl.col("seq").is_in(kept["seq"].implode())).join(
        kept.select(
            "text_sha256",
            pl.col("article_id").alias("duplicate_of"),
            pl.col("origin_file").alias("duplicate_of_file"),
            pl.col("origin_line").alias("duplicate_of_line"),
        ),
        on="text_sha256",
    )
    rows = (
        dups.select(
            "origin_file",
            "origin_line",
            "origin_format",
            "source",
            "source_id",
            "raw_sha256",
            "text_sha256",
            "duplicate_of",
            "duplicate_of_file",
            "duplicate_of_line",
        )
        .sort("origin_file", "origin_line")
        .to_dicts()
    )
    return kept, rows


def _report_json(
    files: Sequence[InputFile],
    records_in: int,
    articles: pl.DataFrame,
    duplicates: list[dict[str, Any]],
    quarantine: list[dict[str, Any]],
    text_chars: int,
) -> dict[str, Any]:
    per_format: dict[str, Counter[str]] = {}
    for fmt, n in articles["origin_format"].value_counts().iter_rows():
        per_format.setdefault(fmt, Counter())["articles"] += n
    for d in duplicates:
        per_format.setdefault(d["origin_format"], Counter())["duplicates"] += 1
    for q in quarantine:
        per_format.setdefault(q["origin_format"], Counter())["quarantined"] += 1
    sizes = articles["cluster_id"].value_counts()
    multi = sizes.filter(pl.col("count") > 1)
    return {
        "files": len(files),
        "records_in": records_in,
        "articles": articles.height,
        "duplicates": len(duplicates),
        "quarantined": len(quarantine),
        "reconciled": records_in == articles.height + len(duplicates) + len(quarantine),
        "quarantine_by_reason": dict(sorted(Counter(q["reason"] for q in quarantine).items())),
        "by_format": {k: dict(sorted(v.items())) for k, v in sorted(per_format.items())},
        "near_duplicate_clusters": multi.height,
        "articles_in_near_duplicate_clusters": int(multi["count"].sum()) if multi.height else 0,
        "text_chars": text_chars,
    }
