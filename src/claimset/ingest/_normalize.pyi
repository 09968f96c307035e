"""Text normalisation kernel (``_normalize.c``): steps 3-5 of the policy in
:mod:`claimset.ingest.normalize` over an Arrow string_view column, in one pass.

Unchanged and null rows keep their views (pointing into the input buffers); changed rows get
new views, inline or into ``out_data``, which becomes buffer ``len(buffers)`` of the result.
Arguments are validated (``ValueError``); the GIL is released during the loop.
"""

from typing import TypeAlias

import numpy as np
from typing_extensions import Buffer

# numpy arrays export the buffer protocol, but their stubs declare it from Python 3.12 on.
_Buf: TypeAlias = Buffer | np.ndarray

def normalize(
    views: _Buf,
    buffers: tuple[_Buf, ...],
    validity: _Buf | None,
    offset: int,
    n: int,
    single_paragraph: bool,
    nfc_bitmap: _Buf,
    out_views: _Buf,
    out_data: _Buf,
    flags: _Buf,
    /,
) -> tuple[int, int]:
    """Normalise rows ``offset .. offset + n - 1`` of a string_view array.

    ``views`` (16 bytes a row), ``buffers`` (its data buffers) and ``validity`` (its null
    bitmap or None) are the array's Arrow buffers. ``nfc_bitmap`` has bit ``cp & 7`` of byte
    ``cp >> 3`` set for NFC-sensitive code points (0x110000 / 8 bytes). Writes the result's
    views to ``out_views`` (16 * n bytes), the text of changed rows longer than 12 bytes to
    ``out_data`` (room for the summed length of the input rows longer than 12 bytes, at most
    2 GiB of it used), and one byte per row to ``flags`` (n bytes): bit 0 set iff the
    normalised text holds an NFC-sensitive code point, bit 1 iff it holds U+0000. Returns
    (changed rows, bytes used in ``out_data``).
    """
