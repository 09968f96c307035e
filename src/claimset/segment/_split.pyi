"""Sentence splitting kernel (see ``_split.c`` for the algorithm and contract)."""

from collections.abc import Sequence

from typing_extensions import Buffer

def split(
    views: Buffer,
    data_buffers: Sequence[Buffer],
    never_final: Buffer,
    maybe_final: Buffer,
    openers: Buffer,
    saying: Buffer,
    connectors: Buffer,
    policy: int,
    /,
) -> tuple[bytes, bytes, bytes]:
    """Split the texts of an Arrow string_view array (its views buffer, sliced to the array's
    offset, and its data buffers) into sentences.

    The word lists are ``\\n``-separated lower-case ASCII words; ``policy`` is the newline
    policy (0 auto, 1 always, 2 never). Returns ``(columns, text_offsets, text_data)``:
    ``columns`` holds n * 5 int64 values, one column after another (doc row, paragraph,
    index, char_start, char_end; offsets in code points per doc), and the sentence texts are
    a large_string array's int64 offsets (n + 1) and data. Raises ``ValueError`` on views
    pointing outside their buffers, invalid UTF-8, non-ASCII words or a bad
    policy. Runs without the GIL.
    """

def sentence_ids(
    views: Buffer, data_buffers: Sequence[Buffer], rows: Buffer, index: Buffer, /
) -> tuple[bytes, bytes]:
    """``f"{ids[rows[i]]}-s{index[i]:04d}"`` for every sentence ``i``: ``ids`` is an Arrow
    string_view array (views buffer and data buffers, as for :func:`split`), ``rows`` and
    ``index`` int64 arrays of one length. Returns a large_string array's int64 offsets
    (n + 1) and data. Raises ``ValueError`` for a row outside ``ids``, a negative index or
    a view outside its buffers. Runs without the GIL.
    """
