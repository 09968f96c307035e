"""Near-duplicate sketch kernel (``_sketch.c``): MinHash signatures and LSH band keys.

Texts come as Arrow large_string buffers: ``data`` (UTF-8 bytes) and ``offsets`` (n + 1
int64, text i is ``data[offsets[i]:offsets[i + 1]]``). Results are written into ``out``,
a writable buffer of native uint64 (a C-contiguous numpy array), row by row. Arguments are
validated (``ValueError``) before any byte is read; the GIL is released during the loop.
"""

from typing import TypeAlias

import numpy as np
from typing_extensions import Buffer

# numpy arrays export the buffer protocol, but their stubs declare it from Python 3.12 on.
_Buf: TypeAlias = Buffer | np.ndarray

def signatures(
    data: _Buf, offsets: _Buf, num_perm: int, shingle_words: int, seed_mix: int, out: _Buf
) -> None:
    """Write the ``num_perm`` densified one-permutation MinHash values of every text.

    ``seed_mix`` (``seed * MIX`` mod 2^64) is xor-ed into every word hash; ``out`` holds
    n x ``num_perm`` values.
    """

def band_keys(
    data: _Buf,
    offsets: _Buf,
    num_perm: int,
    shingle_words: int,
    seed_mix: int,
    rows: int,
    bands: int,
    out: _Buf,
) -> None:
    """Write the ``bands`` LSH keys of every text (band b hashes signature values
    ``[b * rows, (b + 1) * rows)``) into ``out`` (n x ``bands`` values); the signatures
    themselves are never stored."""

def signature_keys(signatures: _Buf, num_perm: int, rows: int, bands: int, out: _Buf) -> None:
    """The same band keys from given signatures (n x ``num_perm`` uint64) into ``out``."""
