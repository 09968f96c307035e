"""RFC 4180 scanner for the CSV fast path (see _csv.c for the grammar and contract)."""

from collections.abc import Sequence

from typing_extensions import Buffer

def record_end(data: Buffer, start: int, stop: int, in_quote: bool) -> tuple[int, bool]:
    """Offset just after the last newline outside quotes in ``data[start:stop]`` (0 if
    none), given the quote state at ``start``; and the quote state at ``stop``."""

def header(data: Buffer, start: int) -> tuple[str | None, int, int, int, int, int, bool]:
    """``(problem, header_start, header_end, next, newlines, commas, blank_before)``: the
    first non-blank record from ``start`` (its content span without the line end), the
    offset of the record after it, the newlines in ``data[start:next]``, its unquoted
    commas, and whether a blank record other than an empty line came before it. problem is
    None or why the fast path cannot take the data."""

def records(
    data: Buffer, start: int, width: int, columns: Sequence[int], first_line: int
) -> tuple[str | None, bytes, bytes, list[tuple[bytes, bytes, bytes, int]]]:
    """``(problem, lines, spans, columns)`` for the non-blank records from ``start``:
    int64 physical start line per row (``first_line`` is the line at ``start``), int64
    (start, end) content span per row, and per field index in ``columns`` the Arrow
    large_string buffers (int64 offsets, values, LSB validity bitmap) and the null count.
    problem is None or why the fast path cannot take the data (then the rest are empty)."""

def newlines(data: Buffer) -> int:
    """The number of newline bytes in ``data``."""

def utf8_valid(data: Buffer, start: int) -> int:
    """Offset of the first invalid UTF-8 byte in ``data[start:]``, or ``len(data)``."""
