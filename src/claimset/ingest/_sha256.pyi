"""SHA-256 of many byte ranges of one buffer (see _sha256.c)."""

from typing_extensions import Buffer

def sha256_hex(data: Buffer, spans: Buffer, portable: bool = False) -> bytes:
    """Lowercase hex SHA-256 (64 bytes) of ``data[start:end]`` for each int64 (start, end)
    pair in ``spans``; ``portable`` avoids the CPU's SHA extensions."""

def sha256_hex_keyed(
    key_data: Buffer, key_spans: Buffer, data: Buffer, spans: Buffer, portable: bool = False
) -> bytes:
    """Lowercase hex SHA-256 (64 bytes) of ``key_data[ks:ke] + b"\\0" + data[s:e]`` for each
    row of int64 (start, end) pairs ``key_spans`` and ``spans`` (as many of each); the
    message is never assembled."""
