"""Many byte ranges of a file in one call (see ``_store.c``)."""

from typing_extensions import Buffer

def gather(fd: int, positions: Buffer, lengths: Buffer, /) -> tuple[bytes, bytes]:
    """Read ``lengths[i]`` bytes at ``positions[i]`` of file descriptor ``fd`` for every
    ``i`` (int64 arrays of one length); return the int64 offsets (n + 1) of each range in
    the data, and the data: an Arrow large_string array's buffers. Raises ``ValueError`` on
    a negative position or length, ``OSError`` on a failed read or a range past the end of
    the file. Runs without the GIL.
    """
