"""Finding input files, their format, sidecar metadata and declared encoding."""

from __future__ import annotations

import codecs
import fnmatch
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimset.errors import InputError
from claimset.ingest.compressed import codec_of
from claimset.ingest.config import IngestConfig

FORMATS = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".warc": "warc",
}
# Formats that may be compressed as a whole file (.jsonl.gz ...); .warc.gz is WARC's own
# per-record gzip, read by warcio.
COMPRESSIBLE = {"jsonl", "csv"}
SIDECAR_SUFFIX = ".meta.json"
# Files `datasets.Dataset.save_to_disk` writes beside its Arrow shards: metadata, not input.
HF_METADATA = ("state.json", "dataset_info.json", "dataset_dict.json")
# Sidecar keys that are not article fields.
SIDECAR_CONTROL = {"encoding", "has_standfirst", "fields"}


@dataclass(frozen=True)
class InputFile:
    """One file to ingest, with everything a reader needs to know about it."""

    path: Path
    rel: str  # path shown in outputs: relative to the input root, POSIX separators
    fmt: str | None  # None: unsupported extension
    encoding: str
    meta: dict[str, Any] = field(default_factory=dict)  # sidecar article-field defaults
    has_standfirst: bool | None = None
    fields: dict[str, str] | None = None  # sidecar override of the column mapping
    codec: str | None = None  # whole-file compression (compressed.CODECS), None: plain
    not_input: str | None = None  # why a file with a known extension is not read (quarantined)


def discover(inputs: list[Path], config: IngestConfig) -> list[InputFile]:
    """Expand files/directories (recursively, sorted) into :class:`InputFile` objects.

    Hidden files (``.gitkeep``, ``.DS_Store``) and ``*.meta.json`` sidecars are not inputs.
    """
    found: dict[str, InputFile] = {}
    _hf_shards.cache_clear()  # files may have changed since an earlier call
    for inp in inputs:
        if not inp.exists():
            raise InputError(inp, "no such file or directory")
        if inp.is_dir():
            root = inp
            paths = sorted(p for p in inp.rglob("*") if p.is_file())
        else:
            root = inp.parent
            paths = [inp]
        for p in paths:
            rel_parts = p.relative_to(root).parts
            if any(part.startswith(".") for part in rel_parts) or p.name.endswith(SIDECAR_SUFFIX):
                continue
            if _is_hf_metadata(p):
                continue
            rel = p.relative_to(root).as_posix()
            # With several inputs the same relative name could repeat; keep them apart.
            key = rel if rel not in found else p.as_posix()
            found[key] = _describe(p, key, root, config)
    return [found[k] for k in sorted(found)]


def format_of(path: Path) -> tuple[str | None, str | None]:
    """(format, whole-file codec) named by the file's suffixes: ``a.jsonl.zst`` is
    ("jsonl", "zstd"), ``a.warc.gz`` is ("warc", None), ``a.bin`` is (None, None)."""
    codec = codec_of(path)
    if codec is None:
        return FORMATS.get(path.suffix.lower()), None
    inner = FORMATS.get(Path(path.stem).suffix.lower())
    if inner == "warc" and codec == "gzip":
        return "warc", None
    if inner in COMPRESSIBLE:
        return inner, codec
    return None, None


def _is_hf_metadata(path: Path) -> bool:
    """True for the JSON files of a ``save_to_disk`` directory (or of a DatasetDict's)."""
    if path.name not in HF_METADATA:
        return False
    if path.name != "dataset_dict.json":
        return _hf_shards(path.parent) is not None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("splits"), list)


@functools.lru_cache(maxsize=256)
def _hf_shards(directory: Path) -> frozenset[str] | None:
    """Names of the Arrow shards a ``save_to_disk`` directory lists in its state.json, or
    None when ``directory`` is not one."""
    state = directory / "state.json"
    if not state.is_file():
        return None
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
        files = data["_data_files"]
        return frozenset(str(x["filename"]) for x in files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _describe(path: Path, rel: str, root: Path, config: IngestConfig) -> InputFile:
    fmt, codec = format_of(path)
    not_input = None
    if fmt == "arrow":
        shards = _hf_shards(path.parent)
        if shards is not None and path.name not in shards:
            not_input = (
                "Arrow file not listed in the directory's state.json (a datasets cache file?)"
            )
    meta = _read_sidecar(path)
    encoding = config.default_encoding
    for pattern in sorted(config.encodings):
        if fnmatch.fnmatch(rel, pattern):
            encoding = config.encodings[pattern]
    sidecar_enc = meta.pop("encoding", None)
    if sidecar_enc is not None:
        encoding = _check_encoding(sidecar_enc, path)
    has_sf = meta.pop("has_standfirst", None)
    if has_sf is not None and not isinstance(has_sf, bool):
        raise InputError(_sidecar_path(path), "must be true or false", field="has_standfirst")
    fields = meta.pop("fields", None)
    if fields is not None and (
        not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values())
    ):
        raise InputError(
            _sidecar_path(path), "must map article fields to column names", field="fields"
        )
    if "source" not in meta:
        # Default source: the directory the file sits in (data/raw/seed/x.txt -> "seed").
        meta["source"] = config.default_source or path.resolve().parent.name or path.stem
    return InputFile(path, rel, fmt, encoding, meta, has_sf, fields, codec, not_input)


def _sidecar_path(path: Path) -> Path:
    """``a.jsonl`` -> ``a.meta.json``; a compressed ``a.jsonl.gz`` or ``a.warc.gz`` too."""
    stem = path.stem
    if codec_of(path) is not None and Path(stem).suffix.lower() in FORMATS:
        stem = Path(stem).stem
    return path.with_name(stem + SIDECAR_SUFFIX)


def _read_sidecar(path: Path) -> dict[str, Any]:
    side = _sidecar_path(path)
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(side, f"sidecar is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(side, "sidecar must be a JSON object")
    return dict(data)


def _check_encoding(enc: Any, path: Path) -> str:
    if not isinstance(enc, str):
        raise InputError(
            _sidecar_path(path), f"expected an encoding name, got {enc!r}", field="encoding"
        )
    try:
        codecs.lookup(enc)
    except LookupError as exc:
        raise InputError(
            _sidecar_path(path), f"unknown encoding {enc!r}", field="encoding"
        ) from exc
    return enc


def is_utf8(encoding: str) -> bool:
    """True for UTF-8 spellings (``utf8``, ``UTF-8``, ``utf-8-sig``)."""
    return codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}


def decode(data: bytes, encoding: str) -> str:
    """Strictly decode ``data``; a UTF-8 BOM is removed. Raises UnicodeDecodeError."""
    if is_utf8(encoding):
        return data.decode("utf-8-sig")
    return data.decode(encoding)


def line_of(data: bytes, byte_offset: int) -> int:
    """1-based line number of ``byte_offset`` in ``data``."""
    return data.count(b"\n", 0, byte_offset) + 1
