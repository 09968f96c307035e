"""Compressed inputs (``.gz``, ``.bz2``, ``.xz``, ``.zst``), decompressed as a stream.

Nothing is decompressed to disk, and at most one block of compressed bytes plus its output
is in memory at a time. The decompressors are fed block by block (not wrapped in
``gzip.open`` and friends) so that a damaged stream still delivers every byte that could
be decompressed before the damage, and the damage is described instead of raised: a
truncated file (end of data before the end-of-stream marker) or corrupt data sets
:attr:`Decompressed.damage`, and the caller quarantines the unreadable rest with its offset.
Concatenated members/streams/frames (``cat a.gz b.gz``, pigz, pzstd) are read in turn.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from claimset.ingest.records import Quarantined, Rejector

# Outer suffix -> codec name (shown in messages and reports).
CODECS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}
# Compressed bytes fed per step: corrupt data loses at most this block's output.
RAW_BLOCK = 1 << 16


class ByteSource(Protocol):
    """What the chunked readers need of an input: a plain file or a :class:`Decompressed`."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; b"" at the end."""
        ...


@dataclass(frozen=True)
class Damage:
    """Where and why a compressed stream stopped being readable."""

    codec: str
    compressed_offset: int  # compressed bytes consumed when the damage was found
    decompressed_offset: int  # bytes delivered before it
    message: str

    def describe(self) -> str:
        """One sentence for a quarantine message."""
        return (
            f"{self.codec} stream {self.message} at compressed byte {self.compressed_offset} "
            f"(after {self.decompressed_offset} decompressed bytes); the rest of the file "
            "cannot be read"
        )


def _new(codec: str) -> Any:
    if codec == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if codec == "bzip2":
        return bz2.BZ2Decompressor()
    if codec == "xz":
        return lzma.LZMADecompressor()
    import zstandard

    return zstandard.ZstdDecompressor().decompressobj()


def _errors() -> tuple[type[BaseException], ...]:
    import zstandard

    return (zlib.error, OSError, EOFError, lzma.LZMAError, zstandard.ZstdError, ValueError)


class Decompressed:
    """A decompressed stream with ``read(size)``; damage ends it early (:attr:`damage`)."""

    def __init__(self, fh: BinaryIO, codec: str) -> None:
        self._fh = fh
        self.codec = codec
        self.damage: Damage | None = None
        self._raw = 0  # compressed bytes consumed
        self._out = 0  # decompressed bytes delivered
        self._blocks = self._decompress()
        self._buf = b""

    def __enter__(self) -> Decompressed:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def _decompress(self) -> Iterator[bytes]:
        errors = _errors()
        obj = _new(self.codec)
        started = False  # obj has been fed bytes of the current member
        pending = b""
        while True:
            data = pending or self._fh.read(RAW_BLOCK)
            pending = b""
            if not data:
                if started and not obj.eof:
                    self._fail("ends before its end-of-stream marker (file truncated?)")
                return
            self._raw += len(data)
            try:
                out = obj.decompress(data)
            except errors as exc:
                self._fail(f"is corrupt ({ascii(str(exc))[1:-1][:200]})")
                if out := _flush(obj):
                    yield out
                return
            started = True
            if out:
                self._out += len(out)
                yield out
            if obj.eof:
                rest = obj.unused_data
                if rest.strip(b"\0"):  # another member follows (padding NULs are allowed)
                    self._raw -= len(rest)
                    pending = rest
                obj, started = _new(self.codec), False

    def _fail(self, message: str) -> None:
        self.damage = Damage(self.codec, self._raw, self._out, message)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` decompressed bytes (all that is left for -1); b"" at the end."""
        if size < 0:
            out = b"".join([self._buf, *self._blocks])
            self._buf = b""
            return out
        parts, have = [self._buf], len(self._buf)
        while have < size:
            block = next(self._blocks, None)
            if block is None:
                break
            parts.append(block)
            have += len(block)
        buf = b"".join(parts)
        out, self._buf = buf[:size], buf[size:]
        return out


def _flush(obj: Any) -> bytes:
    flush = getattr(obj, "flush", None)
    if flush is None:
        return b""
    try:
        return bytes(flush())
    except Exception:  # a decompressor that already failed has nothing more to give
        return b""


def codec_of(path: Path) -> str | None:
    """The codec named by ``path``'s last suffix, or None."""
    return CODECS.get(path.suffix.lower())


def open_input(path: Path, codec: str | None) -> BinaryIO | Decompressed:
    """``path`` opened for reading, decompressed as a stream when ``codec`` is set."""
    fh = path.open("rb")
    return fh if codec is None else Decompressed(fh, codec)


def read_bytes(path: Path, codec: str | None) -> tuple[bytes, Damage | None]:
    """The whole (decompressed) content and the damage that ended it early, if any."""
    if codec is None:
        return path.read_bytes(), None
    with path.open("rb") as fh:
        stream = Decompressed(fh, codec)
        return stream.read(), stream.damage


@dataclass(frozen=True)
class DamagedTail:
    """What a damaged stream left unread: ``tail`` (bytes after the last complete record,
    maybe empty) starts at 1-based line ``line``."""

    damage: Damage
    tail: bytes
    line: int


def cut_at_damage(
    pieces: Iterator[tuple[bytes, int]],
    stream: ByteSource,
    complete: Callable[[bytes], int],
    found: list[DamagedTail],
) -> Iterator[tuple[bytes, int]]:
    """``(piece, lines before it)`` as in ``pieces``; when the stream turns out damaged,
    the last piece ends at its last complete record (``complete(piece)``: the offset just
    after it) and the rest is appended to ``found``. Looks one piece ahead."""
    prev: tuple[bytes, int] | None = None
    for piece in pieces:
        if prev is not None:
            yield prev
        prev = piece
    damage = getattr(stream, "damage", None)
    if damage is None:
        if prev is not None:
            yield prev
        return
    data, before = prev if prev is not None else (b"", 0)
    cut = complete(data)
    if cut:
        yield data[:cut], before
    found.append(DamagedTail(damage, data[cut:], before + data.count(b"\n", 0, cut) + 1))


def unreadable(rel: str, fmt: str, excerpt_chars: int, found: DamagedTail) -> Quarantined:
    """The quarantine entry for what a damaged stream left unread (the partial record, if
    any, is its excerpt)."""
    q = Rejector(rel, fmt, excerpt_chars)
    return q(
        "unreadable", f"from line {found.line}: {found.damage.describe()}", found.tail, found.line
    )
