"""SHA-256 of many byte ranges of one buffer (see _sha256.c)."""

from typing_extensions import Buffer

def sha256_hex(data: Buffer, spans: Buffer, portable: bool = False) -> bytes:
    """Lowercase hex SHA-256 (64 bytes) of ``data[start:end]`` for each int64 (start, end)
    pair in ``spans``; ``portable`` avoids the CPU's SHA extensions."""
